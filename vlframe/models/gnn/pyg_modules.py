"""Register every ``torch.nn.Module`` class of ``torch_geometric.nn`` in the
``pyg`` scope, so that ``dict(type='pyg.GATConv', in_channels=..., ...)``
builds ``torch_geometric.nn.GATConv`` with no wrapper.

Imported lazily by ``PYG_MODELS`` the first time a ``pyg.*`` name is
looked up.
"""
import inspect

import torch_geometric.nn as pyg_nn
from torch import nn

from vlframe.registry import PYG_MODELS


def _register_pyg_modules() -> None:
    for name in dir(pyg_nn):
        obj = getattr(pyg_nn, name)
        if (inspect.isclass(obj) and issubclass(obj, nn.Module)
                and name not in PYG_MODELS.module_dict):
            PYG_MODELS.register_module(name=name, module=obj)


_register_pyg_modules()
