from typing import Optional, Union

from torch import nn

from vlframe.registry import MODELS


def build_data_preprocessor(cfg: Optional[Union[dict, nn.Module]],
                            default_type: str) -> nn.Module:
    """The data preprocessor of a model: ``cfg`` built from vlframe's model
    registry (``dict(type=default_type)`` when it is None), or ``cfg``
    itself when it is already a module.

    mmengine's ``BaseModel`` would build a dict with mmengine's root
    registry, which finds vlframe's preprocessors only under the vlframe
    default scope; models build it here and hand over the module.
    """
    if cfg is None:
        cfg = dict(type=default_type)
    if isinstance(cfg, dict):
        return MODELS.build(cfg)
    return cfg
