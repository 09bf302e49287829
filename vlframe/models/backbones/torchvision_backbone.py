import os.path as osp
from typing import Optional

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import nn

from vlframe.registry import MODELS
from vlframe.utils.checkpoint import safe_torch_load


def _last_linear_name(model: nn.Module) -> str:
    """Name of the classifier: the last ``nn.Linear`` registered in the
    model (``fc`` of ResNets, ``classifier.6`` of VGG, ``heads.head`` of
    ViT), which is the last layer applied in torchvision's classifiers."""
    names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise ValueError(f'{type(model).__name__} has no linear classifier '
                         'to remove')
    return names[-1]


@MODELS.register_module()
class TorchvisionBackbone(BaseModule):
    """A torchvision classification network without its last layer.

    ``torchvision.models.get_model(name)`` built without weights, loaded
    from a local state-dict file when ``checkpoint`` is set (nothing is
    downloaded), and with the final classifier replaced by the identity, so
    that it returns the penultimate features: VGG-16's fc7 (4096, after
    ReLU; dropout is inactive in eval mode), ResNet-152's pooled 2048.

    Args:
        name: a torchvision classification model name ('vgg16',
            'resnet152', ...).
        checkpoint: local path of the torchvision state dict
            (e.g. ``checkpoints/vgg16-397923af.pth``); None trains from
            scratch. Loaded with ``weights_only=True``.
        frozen: keep the weights fixed and the network in eval mode (the
            VQA baseline uses fixed ImageNet features).
    """

    def __init__(self,
                 name: str,
                 checkpoint: Optional[str] = None,
                 frozen: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        import torchvision
        try:
            model = torchvision.models.get_model(name, weights=None)
        except ValueError:
            available = torchvision.models.list_models(
                module=torchvision.models)
            raise ValueError(
                f'"{name}" is not a torchvision classification model; '
                f'available: {", ".join(available)}') from None
        if checkpoint is not None:
            self._load(model, name, checkpoint)
        self.classifier_name = _last_linear_name(model)
        self.out_channels = model.get_submodule(
            self.classifier_name).in_features
        model.set_submodule(self.classifier_name, nn.Identity())
        self.model = model
        self.name = name
        self.checkpoint = checkpoint
        self.frozen = frozen
        if frozen:
            self.model.requires_grad_(False)
            self.model.eval()

    @staticmethod
    def _load(model: nn.Module,
              name: str,
              checkpoint: str,
              skip_prefix: Optional[str] = None) -> None:
        """Load a torchvision state dict; ``skip_prefix`` names the removed
        classifier, whose weights the file has and the model no longer."""
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'torchvision weights for {name} not found at {checkpoint}. '
                'vlframe downloads nothing: get the ImageNet state dict '
                f'torchvision lists for {name} (torchvision.models.get_model_'
                f'weights("{name}").DEFAULT.url), put it at that path, or '
                'set checkpoint=None to train from scratch')
        state = safe_torch_load(checkpoint, map_location='cpu')
        if isinstance(state, dict) and 'state_dict' in state:
            state = state['state_dict']
        if skip_prefix is not None:
            state = {
                k: v
                for k, v in state.items()
                if not k.startswith(skip_prefix + '.')
            }
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ValueError(
                f'{checkpoint} is not a {name} state dict: missing keys '
                f'{missing[:5]}{"..." if len(missing) > 5 else ""}, '
                f'unexpected keys {unexpected[:5]}'
                f'{"..." if len(unexpected) > 5 else ""}')
        print_log(f'TorchvisionBackbone: {name} weights from {checkpoint}',
                  logger='current')

    def init_weights(self) -> None:
        """The checkpoint's weights are the initialisation: they are read
        again, since an ``init_cfg`` of a parent module may have overwritten
        them (the Runner calls this once, after building the model)."""
        if self.checkpoint is None:
            super().init_weights()
        else:
            self._load(self.model, self.name, self.checkpoint,
                       skip_prefix=self.classifier_name)

    def train(self, mode: bool = True) -> 'TorchvisionBackbone':
        super().train(mode)
        if self.frozen:
            self.model.eval()  # BN statistics and dropout stay fixed
        return self

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) normalised images -> (B, out_channels) features."""
        return self.model(img)
