"""Tests for vlframe/datasets/transforms/loading.py."""
import multiprocessing
import pickle

import cv2
import h5py
import numpy as np
import pytest
from mmcv.transforms import LoadImageFromFile as MMCVLoadImageFromFile
from mmcv.transforms import Resize

from vlframe.datasets.transforms import LoadImageFeature, LoadImageFromFile
from vlframe.datasets.transforms.loading import (ImageDecodeError,
                                                 MissingFeatureError,
                                                 check_h5_features)
from vlframe.registry import TRANSFORMS


@pytest.fixture
def png(tmp_path):
    """A 6x8 PNG with an orange pixel at row 2, col 5 (lossless)."""
    rgb = np.zeros((6, 8, 3), dtype=np.uint8)
    rgb[2, 5] = (255, 156, 0)
    path = str(tmp_path / 'img.png')
    cv2.imwrite(path, rgb[..., ::-1])  # OpenCV writes BGR
    return path


def test_loads_rgb(png):
    out = LoadImageFromFile()(dict(img_path=png))
    img = out['img']
    assert img.dtype == np.uint8 and img.shape == (6, 8, 3)
    assert img[2, 5].tolist() == [255, 156, 0]
    assert out['img_shape'] == (6, 8) and out['ori_shape'] == (6, 8)
    bgr = LoadImageFromFile(to_rgb=False)(dict(img_path=png))['img']
    assert bgr[2, 5].tolist() == [0, 156, 255]
    f32 = LoadImageFromFile(to_float32=True)(dict(img_path=png))['img']
    assert f32.dtype == np.float32 and f32[2, 5, 0] == 255.0


def test_registered_in_vlframe_scope_and_mmcv_still_reachable():
    ours = TRANSFORMS.build(dict(type='LoadImageFromFile'))
    assert type(ours) is LoadImageFromFile
    assert isinstance(ours, MMCVLoadImageFromFile)
    theirs = TRANSFORMS.build(dict(type='mmcv.LoadImageFromFile'))
    assert type(theirs) is MMCVLoadImageFromFile
    assert repr(ours).endswith(', to_rgb=True)')
    feat = TRANSFORMS.build(dict(type='LoadImageFeature'))
    assert type(feat) is LoadImageFeature and repr(feat) == \
        'LoadImageFeature()'


@pytest.mark.parametrize('type_name', ['Resize', 'mmcv.Resize'])
def test_mmcv_resize_builds_from_vlframe_registry(png, type_name):
    resize = TRANSFORMS.build(dict(type=type_name, scale=(16, 12)))
    assert type(resize) is Resize
    out = resize(LoadImageFromFile()(dict(img_path=png)))
    assert out['img'].shape == (12, 16, 3)  # scale is (w, h)
    assert out['img_shape'] == (12, 16)


def test_missing_image_names_the_file(tmp_path):
    path = str(tmp_path / 'COCO_val2014_000000000042.jpg')
    with pytest.raises(FileNotFoundError) as info:
        LoadImageFromFile()(dict(img_path=path, question_id=42001,
                                 image_id=42))
    assert str(info.value) == (f'image file not found: {path} '
                               '(question_id 42001, image_id 42)')


@pytest.mark.parametrize('content', [b'', b'not an image at all', 'half'])
def test_unreadable_image_names_the_file(tmp_path, png, content):
    path = str(tmp_path / 'bad.jpg')
    if content == 'half':  # a truncated JPEG
        ok, buf = cv2.imencode('.jpg', np.zeros((20, 20, 3), np.uint8))
        content = buf.tobytes()[:len(buf) // 2]
    with open(path, 'wb') as f:
        f.write(content)
    with pytest.raises(ImageDecodeError) as info:
        LoadImageFromFile()(dict(img_path=path, question_id=7))
    msg = str(info.value)
    assert msg.startswith(f'cannot decode image file {path} (question_id '
                          f'7): {len(content)} bytes that are not a readable '
                          'image')
    assert isinstance(info.value, OSError)
    # mmcv's ignore_empty still skips such files
    assert LoadImageFromFile(ignore_empty=True)(dict(img_path=path)) is None


def write_h5(path, ids, feats):
    with h5py.File(path, 'w') as h5:
        h5.create_dataset('image_ids', data=np.asarray(ids))
        h5.create_dataset('features', data=feats)


@pytest.fixture
def h5_file(tmp_path):
    # non-contiguous, unsorted ids: rows are found by id, not by position
    feats = np.arange(12, dtype=np.float16).reshape(3, 4)
    path = str(tmp_path / 'feats.h5')
    write_h5(path, [391895, 9, 522418], feats)
    return path


def test_h5_feature_by_image_id(h5_file):
    t = LoadImageFeature()
    out = t(dict(feat_path=h5_file, image_id=9))
    assert out['img_feat'].dtype == np.float32
    assert out['img_feat'].tolist() == [4, 5, 6, 7]
    assert t(dict(feat_path=h5_file,
                  image_id=522418))['img_feat'].tolist() == [8, 9, 10, 11]
    with pytest.raises(MissingFeatureError) as info:
        t(dict(feat_path=h5_file, image_id=10, question_id=10000))
    assert str(info.value) == (
        f'image_id 10 is not in feature file {h5_file} (its "image_ids" '
        'holds 3 other ids) (question_id 10000, image_id 10)')
    t.close()


def test_h5_handle_not_pickled_nor_shared_across_fork(h5_file):
    t = LoadImageFeature()
    t(dict(feat_path=h5_file, image_id=9))  # opens the file here
    assert list(t._h5) == [h5_file]
    clone = pickle.loads(pickle.dumps(t))
    assert clone._h5 == {}
    assert clone(dict(feat_path=h5_file,
                      image_id=9))['img_feat'].tolist() == [4, 5, 6, 7]

    def child(queue):
        handle = t._h5[h5_file]
        feat = t(dict(feat_path=h5_file, image_id=391895))['img_feat']
        queue.put((feat.tolist(), t._h5[h5_file] is not handle))

    ctx = multiprocessing.get_context('fork')
    queue = ctx.Queue()
    proc = ctx.Process(target=child, args=(queue, ))
    proc.start()
    feat, reopened = queue.get(timeout=30)
    proc.join(timeout=30)
    assert feat == [0, 1, 2, 3] and reopened
    # the parent's handle still works
    assert t(dict(feat_path=h5_file,
                  image_id=522418))['img_feat'].tolist() == [8, 9, 10, 11]
    t.close()
    clone.close()


def test_missing_h5_file(tmp_path):
    path = str(tmp_path / 'none.h5')
    with pytest.raises(FileNotFoundError, match=f'feature file not found: '
                       f'{path} \\(image_id 3\\)'):
        LoadImageFeature()(dict(feat_path=path, image_id=3))


def test_check_h5_layout(tmp_path, h5_file):
    ids, shape = check_h5_features(h5_file)
    assert ids.tolist() == [391895, 9, 522418] and shape == (3, 4)
    bad = str(tmp_path / 'bad.h5')
    with h5py.File(bad, 'w') as h5:
        h5.create_dataset('ids', data=np.arange(3))
        h5.create_dataset('features', data=np.zeros((3, 4)))
    with pytest.raises(ValueError, match=f'feature file {bad} has no dataset '
                       "'image_ids' \\(it has \\['features', 'ids'\\]\\)"):
        check_h5_features(bad)
    write_h5(bad, np.arange(2), np.zeros((3, 4)))
    with pytest.raises(ValueError, match='"image_ids" has shape \\(2,\\) and '
                       '"features" \\(3, 4\\)'):
        check_h5_features(bad)
    write_h5(bad, np.arange(3.0), np.zeros((3, 4)))
    with pytest.raises(ValueError, match='"image_ids" must be integers'):
        check_h5_features(bad)
    text = str(tmp_path / 'text.h5')
    with open(text, 'w') as f:
        f.write('hello')
    with pytest.raises(ValueError, match='not a readable HDF5 file'):
        check_h5_features(text)


def test_npy_features(tmp_path):
    np.save(tmp_path / '42.npy', np.arange(5, dtype=np.float64))
    out = LoadImageFeature()(dict(feat_path=str(tmp_path / '42.npy'),
                                  image_id=42))
    assert out['img_feat'].dtype == np.float32
    assert out['img_feat'].tolist() == [0, 1, 2, 3, 4]
    missing = str(tmp_path / '43.npy')
    with pytest.raises(FileNotFoundError) as info:
        LoadImageFeature()(dict(feat_path=missing, image_id=43))
    assert str(info.value).startswith(
        f'feature file not found: {missing} (image_id 43)')
    corrupt = tmp_path / '44.npy'
    corrupt.write_bytes(b'garbage')
    with pytest.raises(ValueError, match=f'cannot read feature file '
                       f'{corrupt} \\(image_id 44\\)'):
        LoadImageFeature()(dict(feat_path=str(corrupt), image_id=44))
