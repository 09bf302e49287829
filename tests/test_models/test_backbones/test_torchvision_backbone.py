"""Tests for vlframe/models/backbones/torchvision_backbone.py."""
import pytest
import torch
import torchvision

from vlframe.models import TorchvisionBackbone
from vlframe.registry import MODELS
from vlframe.utils.checkpoint import UnsafeCheckpointError


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def resnet18_file(tmp_path_factory):
    torch.manual_seed(0)
    reference = torchvision.models.resnet18(weights=None).eval()
    path = tmp_path_factory.mktemp('ckpt') / 'resnet18.pth'
    torch.save(reference.state_dict(), path)
    return str(path), reference


def test_penultimate_features_from_a_local_file(resnet18_file):
    path, reference = resnet18_file
    backbone = MODELS.build(dict(type='TorchvisionBackbone', name='resnet18',
                                 checkpoint=path)).eval()
    assert backbone.out_channels == 512
    assert isinstance(backbone.model.fc, torch.nn.Identity)
    img = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        feats = backbone(img)
        # the reference's pooled features, i.e. its input to fc
        x = reference.maxpool(reference.relu(reference.bn1(
            reference.conv1(img))))
        for layer in (reference.layer1, reference.layer2, reference.layer3,
                      reference.layer4):
            x = layer(x)
        expected = torch.flatten(reference.avgpool(x), 1)
    assert feats.shape == (2, 512)
    torch.testing.assert_close(feats, expected)


def test_classifier_inside_a_sequential():
    # VGG-style: the last Linear of model.classifier is dropped
    backbone = TorchvisionBackbone('mobilenet_v3_small').eval()
    assert backbone.out_channels == 1024
    assert isinstance(backbone.model.classifier[-1], torch.nn.Identity)
    assert backbone(torch.randn(1, 3, 32, 32)).shape == (1, 1024)


def test_frozen_stays_in_eval_mode(resnet18_file):
    backbone = TorchvisionBackbone('resnet18', checkpoint=resnet18_file[0],
                                   frozen=True)
    backbone.train()
    assert not backbone.model.training
    assert not any(p.requires_grad for p in backbone.parameters())
    before = backbone.model.bn1.running_mean.clone()
    backbone(torch.randn(2, 3, 32, 32))
    assert torch.equal(backbone.model.bn1.running_mean, before)
    # init_weights (re)loads the file's weights, whatever happened before
    weight = backbone.model.conv1.weight.clone()
    with torch.no_grad():
        backbone.model.conv1.weight.zero_()
    backbone.init_weights()
    assert torch.equal(backbone.model.conv1.weight, weight)
    assert torch.equal(weight, resnet18_file[1].conv1.weight)


def test_missing_weights_file_says_what_to_put_where(tmp_path):
    missing = str(tmp_path / 'checkpoints' / 'vgg16-397923af.pth')
    with pytest.raises(FileNotFoundError) as info:
        TorchvisionBackbone('resnet18', checkpoint=missing)
    msg = str(info.value)
    assert missing in msg and 'resnet18' in msg
    assert 'downloads nothing' in msg and 'checkpoint=None' in msg


def test_weights_of_another_model(tmp_path):
    path = tmp_path / 'mobilenet.pth'
    torch.save(torchvision.models.mobilenet_v3_small().state_dict(), path)
    with pytest.raises(ValueError, match='is not a resnet18 state dict'):
        TorchvisionBackbone('resnet18', checkpoint=str(path))


def test_weights_file_that_needs_unpickling(tmp_path):
    path = tmp_path / 'pickled.pth'
    torch.save(torchvision.models.resnet18(), path)  # a whole module
    with pytest.raises(UnsafeCheckpointError):
        TorchvisionBackbone('resnet18', checkpoint=str(path))


def test_unknown_model_name():
    with pytest.raises(ValueError, match='"vgg17" is not a torchvision '
                       'classification model; available: .*vgg16'):
        TorchvisionBackbone('vgg17')
