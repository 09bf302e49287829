"""Tests for vlframe/utils/checkpoint.py."""
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from torch import nn

from vlframe.utils import (CheckpointMismatchError, UnsafeCheckpointError,
                           load_model_weights, safe_torch_load)
from vlframe.utils.checkpoint import atomic_write


# ---------------------------------------------------------------------------
# atomic_write
# ---------------------------------------------------------------------------
def test_atomic_write_creates_and_replaces(tmp_path):
    target = tmp_path / 'sub' / 'last_checkpoint'
    atomic_write(target, b'first')  # creates the directory too
    assert target.read_bytes() == b'first'
    atomic_write(str(target), b'second, longer content')
    assert target.read_bytes() == b'second, longer content'
    atomic_write(target, b'')
    assert target.read_bytes() == b''
    # no temporary files left behind
    assert os.listdir(tmp_path / 'sub') == ['last_checkpoint']


def test_atomic_write_failure_at_rename_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / 'epoch_1.pth'
    target.write_bytes(b'old complete checkpoint')
    calls = []

    def failing_replace(src, dst):
        calls.append((os.path.basename(src), os.path.basename(dst)))
        assert os.path.getsize(src) == len(b'new')  # fully written temp
        raise OSError('simulated crash before rename')

    monkeypatch.setattr(os, 'replace', failing_replace)
    with pytest.raises(OSError, match='simulated crash before rename'):
        atomic_write(target, b'new')
    monkeypatch.undo()
    assert target.read_bytes() == b'old complete checkpoint'
    assert os.listdir(tmp_path) == ['epoch_1.pth']
    # the temp file lived beside the target, hidden, with a .tmp suffix
    (tmp_name, dst_name), = calls
    assert dst_name == 'epoch_1.pth'
    assert tmp_name.startswith('.epoch_1.pth.') and tmp_name.endswith('.tmp')


def test_atomic_write_failure_while_writing(tmp_path, monkeypatch):
    target = tmp_path / 'f.bin'
    target.write_bytes(b'old')

    def failing_fsync(fd):
        raise KeyboardInterrupt  # a kill, not only an Exception

    monkeypatch.setattr(os, 'fsync', failing_fsync)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, b'new content')
    monkeypatch.undo()
    assert target.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['f.bin']


# ---------------------------------------------------------------------------
# safe_torch_load
# ---------------------------------------------------------------------------
def _history_buffer(values):
    buf = HistoryBuffer()
    for v in values:
        buf.update(v)
    return buf


def test_safe_torch_load_allowlisted_types(tmp_path):
    path = tmp_path / 'ckpt.pth'
    torch.save(
        dict(
            state_dict=OrderedDict(w=torch.arange(6.).view(2, 3)),
            arrays=[np.arange(4, dtype=np.int64),
                    np.array([0.5, 1.5], dtype=np.float32),
                    np.zeros((2, 2), dtype=np.uint8)],
            scalars=(np.float64(2.5), np.int64(7)),
            history=_history_buffer([1.0, 2.0, 6.0]),
            meta=dict(epoch=3, name='rn', flag=True, none=None),
        ), path)
    loaded = safe_torch_load(str(path))
    assert loaded['state_dict']['w'].tolist() == [[0., 1., 2.], [3., 4., 5.]]
    assert isinstance(loaded['state_dict'], OrderedDict)
    a, b, c = loaded['arrays']
    assert a.dtype == np.int64 and a.tolist() == [0, 1, 2, 3]
    assert b.dtype == np.float32 and b.tolist() == [0.5, 1.5]
    assert c.dtype == np.uint8 and c.shape == (2, 2)
    assert loaded['scalars'] == (2.5, 7)
    assert type(loaded['scalars'][0]) is np.float64
    history = loaded['history']
    assert isinstance(history, HistoryBuffer)
    assert history.data[0].tolist() == [1.0, 2.0, 6.0]
    # the statistics methods were restored through the getattr stand-in
    assert history.mean() == 3.0
    assert history.max() == 6.0
    assert history.current() == 6.0
    assert loaded['meta'] == dict(epoch=3, name='rn', flag=True, none=None)


def test_safe_torch_load_message_hub_state(tmp_path):
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('test_checkpoint_utils_hub')
    hub.update_scalar('train/loss', 1.5)
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('epoch', 2)
    path = tmp_path / 'hub.pth'
    torch.save(dict(message_hub=hub.state_dict()), path)
    loaded = safe_torch_load(path)['message_hub']
    assert loaded['log_scalars']['train/loss'].mean() == 1.0
    assert loaded['runtime_info']['epoch'] == 2


class _Evil:

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


class _EvilGetattr:
    """Asks the getattr stand-in for something other than a statistic."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_malicious_pickle_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, payload=_Evil(marker)), path)
    assert not marker.exists()
    with pytest.raises(UnsafeCheckpointError) as info:
        safe_torch_load(str(path))
    assert not marker.exists()
    msg = str(info.value)
    assert msg.startswith(f'Refused to load checkpoint {path}:')
    assert 'Nothing from it was executed.' in msg
    assert isinstance(info.value, pickle.UnpicklingError)
    # and it would have run with a plain (unsafe) load
    torch.load(path, weights_only=False)
    assert marker.exists()


def test_getattr_is_limited_to_history_buffer_statistics(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save(dict(x=_EvilGetattr()), path)
    with pytest.raises(UnsafeCheckpointError):
        safe_torch_load(path)
    # the statistics themselves are allowed (see the HistoryBuffer test)


def test_refusal_message_names_the_refused_global(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save(dict(payload=_Evil(tmp_path / 'never')), path)
    with pytest.raises(UnsafeCheckpointError) as info:
        safe_torch_load(path)
    assert 'posix.system' in str(info.value)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_plain_pickle_file_is_refused(tmp_path):
    marker = tmp_path / 'pwned2'
    path = tmp_path / 'plain.pkl'
    with open(path, 'wb') as f:
        pickle.dump(_Evil(marker), f)
    with pytest.raises(UnsafeCheckpointError):
        safe_torch_load(path)
    assert not marker.exists()


# ---------------------------------------------------------------------------
# load_model_weights
# ---------------------------------------------------------------------------
class _Small(nn.Module):

    def __init__(self, width=3):
        super().__init__()
        self.fc = nn.Linear(2, width)
        self.head = nn.Linear(width, 1)


class _Other(nn.Module):

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.classifier = nn.Linear(3, 1)


def test_load_model_weights_loads_strictly(tmp_path):
    torch.manual_seed(0)
    source = _Small()
    path = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict=source.state_dict(), meta=dict(epoch=4)),
               path)
    target = _Small()
    assert not torch.equal(target.fc.weight, source.fc.weight)
    checkpoint = load_model_weights(target, str(path))
    assert checkpoint['meta'] == dict(epoch=4)
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key


def test_load_model_weights_strips_module_prefix_and_bare_state_dict(
        tmp_path):
    source = _Small()
    path = tmp_path / 'ddp.pth'
    torch.save({f'module.{k}': v for k, v in source.state_dict().items()},
               path)
    target = _Small()
    load_model_weights(target, str(path))
    assert torch.equal(target.head.bias, source.head.bias)


def test_load_model_weights_other_model_raises(tmp_path):
    path = tmp_path / 'other.pth'
    torch.save(dict(state_dict=_Other().state_dict()), path)
    target = _Small()
    before = target.fc.weight.detach().clone()
    with pytest.raises(CheckpointMismatchError) as info:
        load_model_weights(target, str(path))
    msg = str(info.value)
    assert msg.startswith(f'checkpoint {path} does not match the model of '
                          'this config:')
    assert '  missing keys (2): head.bias, head.weight' in msg
    assert ('  unexpected keys (2): classifier.bias, classifier.weight'
            in msg)
    assert 'shape mismatches' not in msg
    assert msg.endswith('Was it trained with another config?')
    # nothing was loaded, not even the matching fc
    assert torch.equal(target.fc.weight, before)


def test_load_model_weights_shape_mismatch(tmp_path):
    path = tmp_path / 'wide.pth'
    torch.save(dict(state_dict=_Small(width=5).state_dict()), path)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model_weights(_Small(width=3), str(path))
    msg = str(info.value)
    # head.bias is (1,) in both
    assert ('  shape mismatches (3): fc.bias: checkpoint (5,) vs model (3,), '
            'fc.weight: checkpoint (5, 2) vs model (3, 2), '
            'head.weight: checkpoint (1, 5) vs model (1, 3)\n') in msg
    assert 'missing keys' not in msg


def test_load_model_weights_many_keys_are_abbreviated(tmp_path):
    path = tmp_path / 'seq.pth'
    torch.save(nn.Sequential(*[nn.Linear(1, 1) for _ in range(15)])
               .state_dict(), path)
    with pytest.raises(CheckpointMismatchError) as info:
        load_model_weights(_Small(), str(path))
    assert 'unexpected keys (30): ' in str(info.value)
    assert '... (10 more)' in str(info.value)


def test_load_model_weights_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_model_weights(_Small(), str(tmp_path / 'missing.pth'))
    path = tmp_path / 'list.pth'
    torch.save([1, 2, 3], path)
    with pytest.raises(CheckpointMismatchError,
                       match='holds no state_dict \\(a list\\)'):
        load_model_weights(_Small(), str(path))
    marker = tmp_path / 'pwned3'
    evil = tmp_path / 'evil.pth'
    torch.save(dict(state_dict=_Evil(marker)), evil)
    with pytest.raises(UnsafeCheckpointError):
        load_model_weights(_Small(), str(evil))
    assert not marker.exists()


def test_atomic_write_gives_the_usual_file_mode(tmp_path):
    import os
    import stat
    from vlframe.utils.checkpoint import atomic_write
    target = tmp_path / 'f.bin'
    atomic_write(str(target), b'data')
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
