"""Tests for vlframe/registry.py."""
import subprocess
import sys
import textwrap
import warnings
from collections import OrderedDict

import mmengine.registry as mmengine_registry
import pytest
from mmengine.registry import DefaultScope

import vlframe.registry as registry
from vlframe.registry import MODELS, UnknownTypeError

# the vlframe children of mmengine's root registries (PYG_MODELS is the
# "pyg" scope, tested below)
REGISTRY_NAMES = [
    n for n in registry.__all__ if n not in ('UnknownTypeError', 'PYG_MODELS')
]


def test_all_names_exported():
    assert len(REGISTRY_NAMES) == 19
    assert set(REGISTRY_NAMES) == {
        'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS', 'OPTIMIZERS',
        'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS',
        'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS',
        'WEIGHT_INITIALIZERS', 'METRICS', 'EVALUATOR', 'VISUALIZERS',
        'VISBACKENDS', 'FUNCTIONS'
    }


@pytest.mark.parametrize('name', REGISTRY_NAMES)
def test_every_registry_is_a_vlframe_child_of_mmengine_root(name):
    child = getattr(registry, name)
    root = getattr(mmengine_registry, name)
    assert child.scope == 'vlframe'
    assert child.parent is root
    assert root.scope == 'mmengine'
    assert root.parent is None
    assert root._children['vlframe'] is child
    assert child.name == root.name


LAZY_SCRIPT = textwrap.dedent('''
    import sys
    import vlframe.registry as r
    assert 'vlframe.models' not in sys.modules, 'models imported eagerly'
    m = r.MODELS.build(dict(type='RelationNetworkFusion', in_channels=24,
                            question_dim=11, hidden_dims=(8, 4)))
    print(type(m).__module__, type(m).__name__, m.out_channels,
          m.g_layers[0].in_features)
    print(r.DATASETS.get('SortOfClevrDataset').__name__,
          r.TRANSFORMS.get('PackVLInputs').__name__,
          r.METRICS.get('QuestionTypeAccuracy').__name__,
          r.HOOKS.get('RNGStateHook').__name__,
          r.OPTIM_WRAPPERS.get('AutocastOptimWrapper').__name__,
          r.VISUALIZERS.get('VQAVisualizer').__name__)
    # mmengine's own types are still found through the parent
    print(r.OPTIMIZERS.get('Adam').__name__,
          r.HOOKS.get('IterTimerHook').__name__)
''')


def test_lazy_location_import_in_fresh_process():
    proc = subprocess.run([sys.executable, '-c', LAZY_SCRIPT],
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()[-3:]
    assert lines[0] == ('vlframe.models.fusions.relation_network '
                        'RelationNetworkFusion 4 63')  # 2 * (24 + 2) + 11
    assert lines[1] == ('SortOfClevrDataset PackVLInputs QuestionTypeAccuracy '
                        'RNGStateHook AutocastOptimWrapper VQAVisualizer')
    assert lines[2] == 'Adam IterTimerHook'


@pytest.mark.parametrize('key,expected_first', [
    ('RelationNetworkFusio', 'RelationNetworkFusion'),
    ('conv_stem', 'ConvStem'),
    ('ConvStm', 'ConvStem'),
    # wrong case and missing suffix: substring match
    ('relationnetwork', 'RelationNetworkFusion'),
])
def test_unknown_type_suggests_close_names(key, expected_first):
    with pytest.raises(UnknownTypeError) as info:
        MODELS.build(dict(type=key))
    err = info.value
    assert isinstance(err, KeyError)
    msg = str(err)
    # __str__ is the plain message, not KeyError's quoted repr
    assert msg.startswith(f'"{key}" is not registered in the "model" '
                          'registry of scope "vlframe" (nor in its parent '
                          '"mmengine" registry). Did you mean: ')
    suggestions = msg.split('Did you mean: ')[1].rstrip('?').split(', ')
    assert suggestions[0] == expected_first
    assert len(suggestions) <= 10


def test_unknown_type_without_close_names_lists_registered_names():
    with pytest.raises(UnknownTypeError) as info:
        registry.METRICS.get('zzzzqqqq')
    msg = str(info.value)
    assert '"metric" registry of scope "vlframe"' in msg
    assert 'Did you mean' not in msg
    assert 'Registered names: ' in msg
    assert 'QuestionTypeAccuracy' in msg


def test_unknown_type_in_other_registries():
    with pytest.raises(UnknownTypeError, match='"dataset" registry') as info:
        registry.DATASETS.build(dict(type='SortOfClever'))
    assert 'SortOfClevrDataset' in str(info.value)
    with pytest.raises(UnknownTypeError, match='"hook" registry') as info:
        registry.HOOKS.get('RNGStatHook')
    assert 'Did you mean: RNGStateHook' in str(info.value)


def test_root_registry_under_default_scope_raises_unknown_type():
    # the Runner builds from mmengine's root registries with the config's
    # default_scope; the lookup is then delegated to vlframe's child
    with DefaultScope.overwrite_default_scope('vlframe'):
        with pytest.raises(UnknownTypeError) as info:
            mmengine_registry.MODELS.build(dict(type='ConvStm'))
        assert 'scope "vlframe"' in str(info.value)
        assert 'Did you mean: ConvStem' in str(info.value)
        # a known type is found through the root as well
        stem = mmengine_registry.MODELS.build(
            dict(type='ConvStem', channels=(4, )))
    assert type(stem).__name__ == 'ConvStem'
    assert stem.out_channels == 4


def test_known_type_is_returned():
    from vlframe.models import ConvStem
    assert MODELS.get('ConvStem') is ConvStem
    assert MODELS.get('vlframe.ConvStem') is ConvStem
    names = MODELS.registered_names()
    assert names == sorted(set(names))
    assert {'ConvStem', 'VQAModel', 'AnswerHead', 'CrossEntropyLoss',
            'RelationNetworkFusion', 'ConcatMLPFusion',
            'VLDataPreprocessor'} <= set(names)
    # the parent's names are included
    assert 'Conv2d' in names


def test_membership_test_returns_false_for_unknown_name():
    assert 'ConvStem' in MODELS
    assert ('NoSuchModel' in MODELS) is False


@pytest.fixture
def fresh_default_scope(monkeypatch):
    """An empty DefaultScope instance dict, restored after the test."""
    monkeypatch.setattr(DefaultScope, '_instance_dict', OrderedDict())
    yield


def test_register_all_modules_sets_default_scope(fresh_default_scope):
    from vlframe.utils import register_all_modules
    assert DefaultScope.get_current_instance() is None
    register_all_modules()
    current = DefaultScope.get_current_instance()
    assert current.scope_name == 'vlframe'
    # idempotent: a second call keeps the scope and warns about nothing
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'vlframe'
    # now the root registry finds vlframe's types without a scope prefix
    model = mmengine_registry.MODELS.build(
        dict(type='CrossEntropyLoss', loss_weight=2.0))
    assert type(model).__module__ == 'vlframe.models.losses.cross_entropy_loss'


def test_register_all_modules_overrides_other_scope(fresh_default_scope):
    from vlframe.utils import register_all_modules
    # a scope other than 'vlframe' alone is simply replaced
    DefaultScope.get_instance('other', scope_name='mmengine')
    register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'vlframe'
    # once vlframe's instance exists, switching away and back warns
    DefaultScope.get_instance('other2', scope_name='mmengine')
    assert DefaultScope.get_current_instance().scope_name == 'mmengine'
    with pytest.warns(UserWarning, match='"mmengine" is not "vlframe"'):
        register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'vlframe'


def test_register_all_modules_without_scope(fresh_default_scope):
    from vlframe.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    assert DefaultScope.get_current_instance() is None


def test_torch_geometric_layers_under_the_pyg_scope():
    from torch_geometric.nn import APPNP, GATConv, Linear
    assert registry.PYG_MODELS.scope == 'pyg'
    assert registry.PYG_MODELS.parent is mmengine_registry.MODELS
    with DefaultScope.overwrite_default_scope('vlframe'):
        assert MODELS.get('pyg.GATConv') is GATConv
        assert MODELS.get('pyg.APPNP') is APPNP
        layer = MODELS.build(dict(type='pyg.Linear', in_channels=3,
                                  out_channels=2))
    assert isinstance(layer, Linear)
    # only modules are registered, not functions or submodules
    assert 'global_mean_pool' not in registry.PYG_MODELS.module_dict


def test_unknown_pyg_name_suggests_pyg_layers():
    with pytest.raises(UnknownTypeError) as err:
        MODELS.get('pyg.GATConvv')
    message = str(err.value)
    assert 'registry of scope "pyg"' in message
    assert 'Did you mean: GATConv' in message
