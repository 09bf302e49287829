"""vlframe's registries: children of mmengine's root registries, scope ``vlframe``.

Every public class registers itself in the registry of its kind where it is
defined. ``locations`` lets a registry import the package that fills it the
first time a type is looked up, so ``dict(type='RelationNetworkFusion')``
builds without the caller importing anything.

Unlike mmengine's registries, looking up a name that is not registered raises
:class:`UnknownTypeError`, whose message names the registry, the scope and the
closest registered names (mmengine returns ``None`` and later says only that
the name is missing).
"""
import difflib
from typing import List, Optional, Type

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import Registry
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS

__all__ = [
    'UnknownTypeError', 'RUNNERS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS',
    'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
    'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'METRICS', 'EVALUATOR',
    'VISUALIZERS', 'VISBACKENDS', 'FUNCTIONS', 'PYG_MODELS'
]


class UnknownTypeError(KeyError):
    """A config named a ``type`` that no registry in scope knows.

    A ``KeyError`` so that code catching mmengine's lookup failure still
    works; ``__str__`` is the plain message (KeyError would quote it).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


class VLRegistry(Registry):
    """A child registry whose failed lookups say what was meant."""

    def get(self, key: str) -> Optional[Type]:
        obj = super().get(key)
        if obj is None:
            raise UnknownTypeError(self._unknown_message(key))
        return obj

    def __contains__(self, key: str) -> bool:
        # mmengine's `in` is `get(key) is not None`; ours raises instead
        return Registry.get(self, key) is not None

    def registered_names(self) -> List[str]:
        """Names reachable from this registry: its own and its ancestors'."""
        self.import_from_location()
        names, registry = [], self
        while registry is not None:
            names.extend(registry.module_dict)
            registry = registry.parent
        return sorted(set(names))

    def _unknown_message(self, key: str) -> str:
        scope, real_key = self.split_scope_key(key)
        scoped = (self._get_root_registry()._search_child(scope)
                  if scope not in (None, self.scope) else None)
        if scoped is not None:
            # "pyg.GATConvv": suggest from the registry of that scope
            scoped.import_from_location()
            names = sorted(scoped.module_dict)
            close = difflib.get_close_matches(real_key, names, n=5,
                                              cutoff=0.5)
            hint = (f'Did you mean: {", ".join(close)}?'
                    if close else f'{len(names)} names are registered there.')
            return (f'"{key}" is not registered in the "{scoped.name}" '
                    f'registry of scope "{scope}". {hint}')
        names = self.registered_names()
        close = difflib.get_close_matches(real_key, names, n=5, cutoff=0.5)
        # a wrong case or a missing suffix ("relationnetwork") is common too
        close += [n for n in names
                  if real_key.lower() in n.lower() and n not in close][:5]
        hint = (f'Did you mean: {", ".join(close)}?'
                if close else f'Registered names: {", ".join(names)}.')
        return (f'"{key}" is not registered in the "{self.name}" registry of '
                f'scope "{self.scope}" (nor in its parent "{self.parent.scope}"'
                f' registry). {hint}')


def _child(name: str, parent: Registry, locations: List[str]) -> VLRegistry:
    return VLRegistry(
        name, parent=parent, scope='vlframe', locations=locations)


# manage all kinds of runners like `EpochBasedRunner` and `IterBasedRunner`
RUNNERS = _child('runner', MMENGINE_RUNNERS, ['vlframe.engine'])
# manage the training, validation and test loops
LOOPS = _child('loop', MMENGINE_LOOPS, ['vlframe.engine'])
# manage hooks (checkpointing, RNG state, visualization)
HOOKS = _child('hook', MMENGINE_HOOKS, ['vlframe.engine'])
LOG_PROCESSORS = _child('log_processor', MMENGINE_LOG_PROCESSORS,
                        ['vlframe.engine'])
OPTIMIZERS = _child('optimizer', MMENGINE_OPTIMIZERS, ['vlframe.engine'])
OPTIM_WRAPPERS = _child('optim_wrapper', MMENGINE_OPTIM_WRAPPERS,
                        ['vlframe.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
                                    ['vlframe.engine'])
PARAM_SCHEDULERS = _child('parameter scheduler', MMENGINE_PARAM_SCHEDULERS,
                          ['vlframe.engine'])

DATASETS = _child('dataset', MMENGINE_DATASETS, ['vlframe.datasets'])
DATA_SAMPLERS = _child('data sampler', MMENGINE_DATA_SAMPLERS,
                       ['vlframe.datasets'])
TRANSFORMS = _child('transform', MMENGINE_TRANSFORMS,
                    ['vlframe.datasets.transforms'])

MODELS = _child('model', MMENGINE_MODELS, ['vlframe.models'])
MODEL_WRAPPERS = _child('model_wrapper', MMENGINE_MODEL_WRAPPERS,
                        ['vlframe.models'])
WEIGHT_INITIALIZERS = _child('weight initializer',
                             MMENGINE_WEIGHT_INITIALIZERS, ['vlframe.models'])

METRICS = _child('metric', MMENGINE_METRICS, ['vlframe.evaluation'])
EVALUATOR = _child('evaluator', MMENGINE_EVALUATOR, ['vlframe.evaluation'])

VISUALIZERS = _child('visualizer', MMENGINE_VISUALIZERS,
                     ['vlframe.visualization'])
VISBACKENDS = _child('vis_backend', MMENGINE_VISBACKENDS,
                     ['vlframe.visualization'])

# every torch.nn.Module that torch_geometric.nn exports, under scope "pyg", so
# a config names any PyG layer without a wrapper: dict(type='pyg.GATConv').
# A child of mmengine's root model registry, so that mmengine's scoped lookup
# ("pyg.<name>") finds it from any registry of the tree.
PYG_MODELS = Registry(
    'model',
    parent=MMENGINE_MODELS,
    scope='pyg',
    locations=['vlframe.models.gnn.pyg_modules'])

# functions such as collate functions, looked up by name from dataloader cfgs
FUNCTIONS = _child('function', MMENGINE_FUNCTIONS, ['vlframe.datasets'])
