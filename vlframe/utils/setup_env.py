import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every vlframe module that registers something, and make
    ``vlframe`` the default scope (as configs do with ``default_scope``).

    Also installs checkpoint safety (allowlisted ``weights_only`` loading,
    atomic writes), which every entry point needs before it touches a file.
    """
    import vlframe.datasets  # noqa: F401,F403
    import vlframe.engine  # noqa: F401,F403
    import vlframe.evaluation  # noqa: F401,F403
    import vlframe.models  # noqa: F401,F403
    import vlframe.visualization  # noqa: F401,F403
    from .checkpoint import install_checkpoint_safety
    install_checkpoint_safety()

    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('vlframe')
        if never_created:
            DefaultScope.get_instance('vlframe', scope_name='vlframe')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'vlframe':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "vlframe", '
                          '`register_all_modules` will force the current'
                          'default scope to be "vlframe". If this is not '
                          'expected, please set `init_default_scope=False`.')
            # avoid name conflict
            new_instance_name = f'vlframe-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='vlframe')
