"""Safe checkpoint loading and atomic checkpoint writing.

Loading: torch >= 2.6 loads with ``weights_only=True``, which refuses any
global that is not allowlisted. mmengine 0.10.7 stores a few of its own and
numpy's types in a checkpoint's ``meta`` and ``message_hub``, so resuming
fails out of the box. We allowlist exactly those types (nothing that can run
code) and make every local load go through :func:`safe_torch_load`, which
keeps ``weights_only=True`` and turns a refusal into a clear
:class:`UnsafeCheckpointError`.

Writing: mmengine's ``LocalBackend.put`` opens the target path and writes
into it, so a process killed while saving leaves a truncated ``epoch_N.pth``.
:class:`AtomicLocalBackend` writes to a temporary file in the same directory
and renames it over the target (``os.replace`` is atomic on POSIX).
"""
import os
import os.path as osp
import pickle
import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import BinaryIO, Union

import mmengine.fileio.io as mmengine_io
import numpy as np
import torch
from mmengine.fileio import LocalBackend, register_backend
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs a global outside the allowlist to be unpickled."""


def _numpy_globals() -> list:
    """The numpy callables/classes a pickled ndarray or scalar refers to.

    ``np.core`` was renamed ``np._core`` in numpy 2; pickles made under
    either name may meet either numpy, so both spellings are allowlisted.
    """
    reconstruct_names = []
    for module_name in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        try:
            module = __import__(module_name, fromlist=['_reconstruct'])
        except ImportError:
            continue
        reconstruct_names.append((module._reconstruct,
                                  f'{module_name}._reconstruct'))
        reconstruct_names.append((module.scalar, f'{module_name}.scalar'))
    dtype_classes = [type(np.dtype(t)) for t in (
        np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
        np.int64, np.uint8, np.bool_)]
    return reconstruct_names + [np.ndarray, np.dtype] + dtype_classes


def _history_buffer_statistic(owner, name: str):
    """Stands in for ``builtins.getattr`` while unpickling.

    A ``HistoryBuffer`` pickles its statistics functions (``min``, ``max``,
    ``current``, ``mean``) as ``getattr(HistoryBuffer, 'min')``. Allowing
    ``getattr`` itself would hand a checkpoint any attribute of any object
    it can name, so only those lookups are served.
    """
    # the four defaults are registered lazily, by the first instance
    allowed = {'min', 'max', 'current', 'mean',
               *HistoryBuffer._statistics_methods}
    if owner is HistoryBuffer and name in allowed:
        return getattr(owner, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({owner!r}, {name!r}), which is not '
        'one of the HistoryBuffer statistics vlframe allows')


def allowlisted_globals() -> list:
    """Everything mmengine 0.10.7 stores in a checkpoint besides tensors.

    ``HistoryBuffer`` (logged scalars in the message hub) is a plain
    container of numpy arrays; unpickling it only fills attributes.
    """
    return [HistoryBuffer, OrderedDict,
            (_history_buffer_statistic, 'builtins.getattr'),
            *_numpy_globals()]


def register_safe_globals() -> None:
    torch.serialization.add_safe_globals(allowlisted_globals())


def safe_torch_load(filename: Union[str, Path, BinaryIO],
                    map_location=None):
    """``torch.load(weights_only=True)`` with a clear error on refusal."""
    register_safe_globals()
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        # torch's message is long; keep the line that names the global
        lines = [line.strip() for line in str(err).splitlines()]
        detail = next((line for line in lines if 'GLOBAL' in line
                       or 'getattr' in line), lines[0] if lines else '')
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint {filename}: it needs a Python object '
            'that is not on vlframe\'s allowlist of checkpoint types, so '
            'unpickling it could run arbitrary code. Nothing from it was '
            f'executed. torch said: {detail}') from None


def _load_from_local(filename: str, map_location=None):
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint {filename} does not exist.')
    return safe_torch_load(filename, map_location=map_location)


class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend, with writes done by rename."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write(filepath, obj)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write(filepath, obj.encode(encoding))


def atomic_write(filepath: Union[str, Path], data: bytes) -> None:
    """Write ``data`` to ``filepath`` so that readers see old or new, never
    a partial file: temp file in the same directory, fsync, rename."""
    directory = osp.dirname(osp.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        dir=directory, prefix=f'.{osp.basename(filepath)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file 0600; give it the mode open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, filepath)
    except BaseException:
        if osp.exists(tmp_path):
            os.remove(tmp_path)
        raise


_INSTALLED = False


def install_checkpoint_safety() -> None:
    """Route mmengine's local checkpoint loads and file writes through the
    safe loader and the atomic backend. Idempotent."""
    global _INSTALLED
    if _INSTALLED:
        return
    register_safe_globals()
    # '' is the scheme of plain local paths; force replaces mmengine's loader
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_from_local, force=True)
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    # get_file_backend caches instances; drop any plain LocalBackend made
    # before this call so every later write is atomic
    for key, backend in list(mmengine_io.backend_instances.items()):
        if type(backend) is LocalBackend:
            del mmengine_io.backend_instances[key]
    _INSTALLED = True


class CheckpointMismatchError(RuntimeError):
    """A checkpoint's weights do not fit the model of the config."""


def load_model_weights(model: torch.nn.Module, filename: str) -> dict:
    """Load a checkpoint's ``state_dict`` into ``model``, strictly.

    mmengine's ``load_checkpoint`` only warns about missing and unexpected
    keys, so a checkpoint of another model would be "tested" with random
    weights. Here any mismatch is an error that lists the keys.
    Returns the checkpoint dict.
    """
    checkpoint = _load_from_local(filename, map_location='cpu')
    state_dict = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else None
    if not isinstance(state_dict, dict):
        raise CheckpointMismatchError(
            f'{filename} holds no state_dict (a {type(checkpoint).__name__})')
    state_dict = {
        (k[len('module.'):] if k.startswith('module.') else k): v
        for k, v in state_dict.items()
    }
    own = model.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    wrong_shape = sorted(
        f'{k}: checkpoint {tuple(state_dict[k].shape)} vs model '
        f'{tuple(own[k].shape)}' for k in set(own) & set(state_dict)
        if hasattr(state_dict[k], 'shape')
        and tuple(state_dict[k].shape) != tuple(own[k].shape))
    if missing or unexpected or wrong_shape:

        def listing(title, keys):
            if not keys:
                return ''
            shown = ', '.join(keys[:20])
            more = f' ... ({len(keys) - 20} more)' if len(keys) > 20 else ''
            return f'\n  {title} ({len(keys)}): {shown}{more}'

        raise CheckpointMismatchError(
            f'checkpoint {filename} does not match the model of this config:'
            + listing('missing keys', missing) +
            listing('unexpected keys', unexpected) +
            listing('shape mismatches', wrong_shape) +
            '\nWas it trained with another config?')
    model.load_state_dict(state_dict, strict=True)
    return checkpoint
