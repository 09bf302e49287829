"""Loading transforms: images from files, pre-extracted image features.

Resizing needs no transform of ours: mmcv's ``Resize`` (and its other
transforms) register in mmengine's root TRANSFORMS registry, the parent of
vlframe's, so ``dict(type='Resize', scale=(224, 224))`` builds from the
vlframe scope; ``dict(type='mmcv.Resize', ...)`` also works (mmengine
resolves the dotted name as an import path, ``mmcv.Resize``).
"""
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms import LoadImageFromFile as MMCVLoadImageFromFile
from mmengine import fileio

from vlframe.registry import TRANSFORMS

__all__ = [
    'LoadImageFromFile', 'LoadImageFeature', 'ImageDecodeError',
    'MissingFeatureError', 'H5_FEATURE_LAYOUT'
]

H5_FEATURE_LAYOUT = ('one HDF5 file with the datasets "image_ids" (N,) '
                     'integer and "features" (N, D) float, row i holding the '
                     'feature of image image_ids[i]')


class ImageDecodeError(OSError):
    """An image file exists but is not a decodable image."""


class MissingFeatureError(KeyError):
    """An image id has no row in a feature file."""

    def __str__(self) -> str:
        # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ''


def _sample_context(results: dict) -> str:
    """' (question_id 5, image_id 9)' for error messages, '' if unknown."""
    parts = [
        f'{key} {results[key]}' for key in ('question_id', 'image_id')
        if key in results
    ]
    return f' ({", ".join(parts)})' if parts else ''


@TRANSFORMS.register_module()
class LoadImageFromFile(MMCVLoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` returning RGB, with errors that name the
    file.

    vlframe's models take RGB images (the Sort-of-CLEVR arrays and
    ``ViltImageProcessor`` are RGB, and ``VLDataPreprocessor`` does not swap
    channels), so ``to_rgb=True`` decodes to RGB; mmcv's transform (still
    reachable as ``mmcv.LoadImageFromFile``) returns OpenCV's BGR.

    mmcv already names a missing file (``FileNotFoundError``) and a file
    that decodes to nothing, but the latter by an ``assert`` (gone under
    ``python -O``) and an empty file fails inside OpenCV without the name.
    Here a missing file is a ``FileNotFoundError`` and an unreadable one an
    :class:`ImageDecodeError` (an ``OSError``), both naming the file, its
    size and the sample's ``question_id`` / ``image_id`` when known.

    Required keys: ``img_path``. Added keys: ``img`` (H, W, 3) uint8
    (float32 with ``to_float32``), ``img_shape``, ``ori_shape``.

    Args:
        to_rgb: decode colour images as RGB (else BGR, as mmcv).
        **kwargs: mmcv's ``LoadImageFromFile`` arguments (``to_float32``,
            ``color_type``, ``imdecode_backend``, ``ignore_empty``,
            ``backend_args``).
    """

    def __init__(self, to_rgb: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.to_rgb = to_rgb

    def transform(self, results: dict) -> Optional[dict]:
        filename = results['img_path']
        try:
            img = self._load(filename, results)
        except (OSError, ValueError):
            if self.ignore_empty:
                return None
            raise
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def _load(self, filename: str, results: dict) -> np.ndarray:
        context = _sample_context(results)
        try:
            if self.file_client_args is not None:
                client = fileio.FileClient.infer_client(
                    self.file_client_args, filename)
                img_bytes = client.get(filename)
            else:
                img_bytes = fileio.get(filename,
                                       backend_args=self.backend_args)
        except FileNotFoundError:
            raise FileNotFoundError(
                f'image file not found: {filename}{context}') from None
        except OSError as err:
            raise OSError(f'cannot read image file {filename}{context}: '
                          f'{err}') from None
        img = None
        if img_bytes:
            try:
                img = mmcv.imfrombytes(
                    img_bytes,
                    flag=self.color_type,
                    channel_order='rgb' if self.to_rgb else 'bgr',
                    backend=self.imdecode_backend)
            except Exception:  # decoders raise their own error types
                img = None
        if img is None:
            raise ImageDecodeError(
                f'cannot decode image file {filename}{context}: '
                f'{len(img_bytes)} bytes that are not a readable image '
                '(empty, truncated or another format); replace or remove '
                'the file')
        return img

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', to_rgb={self.to_rgb})'


class _H5Features:
    """One open HDF5 feature file and its image_id -> row index."""

    def __init__(self, path: str):
        import h5py  # optional dependency, needed only for .h5 features
        self.path = path
        self.file = h5py.File(path, 'r')
        self.features = self.file['features']  # (N, D)
        ids = np.asarray(self.file['image_ids'][()]).astype(np.int64)
        self.row_of: Dict[int, int] = dict(
            zip(ids.tolist(), range(len(ids))))

    def close(self) -> None:
        self.file.close()


def check_h5_features(path: str) -> Tuple[np.ndarray, Tuple[int, ...]]:
    """Open an .h5 feature file once, check its layout and return its
    ``image_ids`` (N,) and the shape of ``features``.

    Raises ValueError naming the file and the dataset that is missing or of
    the wrong shape.
    """
    import h5py
    try:
        h5 = h5py.File(path, 'r')
    except OSError as err:
        raise ValueError(f'feature file {path} is not a readable HDF5 file '
                         f'({err}); expected {H5_FEATURE_LAYOUT}') from None
    with h5:
        missing = [k for k in ('image_ids', 'features') if k not in h5]
        if missing:
            raise ValueError(
                f'feature file {path} has no dataset '
                f'{" or ".join(repr(m) for m in missing)} (it has '
                f'{sorted(h5.keys())}); expected {H5_FEATURE_LAYOUT}')
        ids, feats = h5['image_ids'], h5['features']
        if (len(ids.shape) != 1 or len(feats.shape) < 2
                or feats.shape[0] != ids.shape[0]):
            raise ValueError(
                f'feature file {path}: "image_ids" has shape {ids.shape} and '
                f'"features" {feats.shape}; expected {H5_FEATURE_LAYOUT}')
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(
                f'feature file {path}: "image_ids" must be integers, got '
                f'{ids.dtype}; expected {H5_FEATURE_LAYOUT}')
        return np.asarray(ids[()]).astype(np.int64), tuple(feats.shape)


@TRANSFORMS.register_module()
class LoadImageFeature(BaseTransform):
    """Load the pre-extracted feature of a sample's image into
    ``results['img_feat']`` (float32, e.g. (4096,) fc7 or (2048,) pooled).

    ``results['feat_path']`` (set by the dataset) is either

    * a ``.npy`` file holding that image's feature, or
    * a ``.h5`` / ``.hdf5`` file laid out as :data:`H5_FEATURE_LAYOUT`; the
      row is found by ``results['image_id']``.

    HDF5 files are opened on first use in each process and kept open for
    later samples; a handle is never carried across ``fork`` (DataLoader
    workers open their own) nor pickled. A missing ``.npy`` file is a
    ``FileNotFoundError``, an id absent from the ``.h5`` a
    :class:`MissingFeatureError`; both name the file and the image id.
    """

    H5_SUFFIXES = ('.h5', '.hdf5')

    def __init__(self):
        self._h5: Dict[str, _H5Features] = {}
        self._pid = os.getpid()

    def transform(self, results: dict) -> dict:
        path = results['feat_path']
        if path.endswith(self.H5_SUFFIXES):
            feat = self._from_h5(path, results)
        else:
            feat = self._from_npy(path, results)
        results['img_feat'] = feat.astype(np.float32, copy=False)
        return results

    @staticmethod
    def _from_npy(path: str, results: dict) -> np.ndarray:
        context = _sample_context(results)
        try:
            feat = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise FileNotFoundError(
                f'feature file not found: {path}{context}; a feature_dir '
                'must hold one <image_id>.npy per image') from None
        except (OSError, ValueError, EOFError) as err:
            raise ValueError(f'cannot read feature file {path}{context}: '
                             f'{err}') from None
        if not isinstance(feat, np.ndarray) or feat.dtype.kind not in 'fiu':
            raise ValueError(f'feature file {path}{context} must hold one '
                             f'numeric array, got {type(feat).__name__}')
        return feat

    def _from_h5(self, path: str, results: dict) -> np.ndarray:
        if os.getpid() != self._pid:
            # forked: the parent's handles must not be used here
            self._h5, self._pid = {}, os.getpid()
        store = self._h5.get(path)
        if store is None:
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'feature file not found: {path}'
                    f'{_sample_context(results)}; expected '
                    f'{H5_FEATURE_LAYOUT}')
            store = self._h5[path] = _H5Features(path)
        image_id = int(results['image_id'])
        row = store.row_of.get(image_id)
        if row is None:
            raise MissingFeatureError(
                f'image_id {image_id} is not in feature file {path} (its '
                f'"image_ids" holds {len(store.row_of)} other ids)'
                f'{_sample_context(results)}')
        return np.asarray(store.features[row])  # (D,)

    def close(self) -> None:
        """Close the HDF5 files this process opened."""
        if os.getpid() == self._pid:
            for store in self._h5.values():
                store.close()
        self._h5 = {}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state['_h5'] = {}  # handles are per process
        return state

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
