"""Tests for vlframe/datasets/sort_of_clevr.py (the dataset and its cache;
the generator itself has tests in test_generators/)."""
import json
import os
import os.path as osp
import re
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

import vlframe.datasets.sort_of_clevr as soc_module
from vlframe.datasets import DatasetLayoutError, SortOfClevrDataset
from vlframe.datasets.generators.sort_of_clevr import (ANSWER_VOCAB,
                                                       question_text)
from vlframe.datasets.transforms import PackVLInputs
from vlframe.registry import DATASETS
from vlframe.utils import merge_cfg_options

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ARRAY_KEYS = ('images', 'object_centers', 'object_shapes', 'question_image',
              'question_family', 'question_subtype', 'question_color_a',
              'question_color_b', 'question_vec', 'answer')


def make(root, **kwargs):
    kwargs.setdefault('num_images', 3)
    kwargs.setdefault('seed', 5)
    return SortOfClevrDataset(data_root=str(root), **kwargs)


def npz_files(root):
    return sorted(f for f in os.listdir(root) if f.endswith('.npz'))


@pytest.fixture
def no_generation(monkeypatch):
    """Make any call of the generator fail."""

    def fail(*args, **kwargs):
        raise AssertionError('generate_sort_of_clevr was called')

    monkeypatch.setattr(soc_module, 'generate_sort_of_clevr', fail)


def test_sample_fields_and_types(tmp_path):
    ds = make(tmp_path)
    info = ds.get_data_info(23)  # image 1, question 3 (non-relational)
    assert sorted(info) == sorted([
        'question_id', 'img_idx', 'img', 'question', 'question_text',
        'question_family', 'question_subtype', 'gt_answer', 'sample_idx'
    ])
    assert info['question_id'] == 23 and info['sample_idx'] == 23
    assert info['img_idx'] == 1
    assert info['img'].shape == (75, 75, 3) and info['img'].dtype == np.uint8
    assert info['question'].shape == (11, )
    assert info['question'].dtype == np.float32
    assert info['question'].sum() == 3.0  # one-hot colour, family, subtype
    assert info['question_family'] == 'non_relational'
    assert info['question_subtype'] in ('shape', 'horizontal', 'vertical')
    assert isinstance(info['gt_answer'], int)
    assert 0 <= info['gt_answer'] < len(ANSWER_VOCAB)
    assert isinstance(info['question_text'], str)
    assert info['question_text'].endswith('?')
    # consistent with the raw arrays
    a = ds.arrays
    assert info['gt_answer'] == int(a['answer'][23])
    assert info['question_text'] == question_text(
        int(a['question_family'][23]), int(a['question_subtype'][23]),
        int(a['question_color_a'][23]))
    assert np.array_equal(info['img'], a['images'][1])
    # white background
    assert (info['img'][0, 0] == 255).all()
    # image-major, family, question order: 10 non-relational then 10
    # relational questions per image
    families = [ds.get_data_info(i)['question_family'] for i in range(20)]
    assert families == ['non_relational'] * 10 + ['relational'] * 10
    assert ds.get_data_info(20)['img_idx'] == 1
    assert ds.metainfo['classes'] == ANSWER_VOCAB


def test_length_is_20_questions_per_image(tmp_path):
    assert len(make(tmp_path, num_images=3)) == 60
    assert len(make(tmp_path, num_images=1)) == 20
    ternary = make(tmp_path, num_images=2, ternary=True)
    assert len(ternary) == 60  # 30 per image with ternary questions
    assert ternary.get_data_info(0)['question'].shape == (18, )
    assert ternary.get_data_info(59)['question_family'] == 'ternary'


def test_getitem_applies_pipeline(tmp_path):
    ds = make(tmp_path, pipeline=[PackVLInputs()])
    out = ds[5]
    assert out['inputs']['img'].shape == (3, 75, 75)
    assert int(out['data_samples'].gt_answer) == ds.get_data_info(5)[
        'gt_answer']
    assert out['data_samples'].question_id == 5
    assert len(ds.load_data_list()) == 60


def test_cache_created_once_and_reused(tmp_path, monkeypatch):
    calls = []
    real = soc_module.generate_sort_of_clevr

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(soc_module, 'generate_sort_of_clevr', counting)
    ds = make(tmp_path, split='train')
    assert len(calls) == 1
    assert calls[0]['num_images'] == 3 and calls[0]['seed'] == 5
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2
    npz = npz_files(tmp_path)[0]
    assert npz.startswith('sort_of_clevr_train_')
    assert osp.join(str(tmp_path), npz) == ds.cache_path
    assert files == sorted([npz, npz[:-4] + '.json'])
    with open(osp.join(tmp_path, npz[:-4] + '.json')) as f:
        assert json.load(f) == dict(split='train', num_images=3, seed=5,
                                    ternary=False, ternary_subtype=-1,
                                    generator_version=1)
    mtime = os.stat(ds.cache_path).st_mtime_ns

    # the second construction reads the cache
    def fail(*args, **kwargs):
        raise AssertionError('generator called again')

    monkeypatch.setattr(soc_module, 'generate_sort_of_clevr', fail)
    again = make(tmp_path, split='train')
    assert len(again) == 60
    assert sorted(os.listdir(tmp_path)) == files
    assert os.stat(ds.cache_path).st_mtime_ns == mtime


def test_identical_content_across_constructions(tmp_path):
    first = make(tmp_path / 'a')
    second = make(tmp_path / 'a')  # from the cache
    third = make(tmp_path / 'b')  # generated again elsewhere
    for key in ARRAY_KEYS:
        assert np.array_equal(first.arrays[key], second.arrays[key]), key
        assert np.array_equal(first.arrays[key], third.arrays[key]), key
    for i in (0, 19, 59):
        a, b = first.get_data_info(i), third.get_data_info(i)
        assert a['question_text'] == b['question_text']
        assert a['gt_answer'] == b['gt_answer']


@pytest.mark.parametrize('change', [dict(seed=6), dict(num_images=2),
                                    dict(ternary=True), dict(split='test')])
def test_other_parameters_make_another_cache_file(tmp_path, change):
    base = make(tmp_path)
    other = make(tmp_path, **change)
    assert other.cache_path != base.cache_path
    assert len(npz_files(tmp_path)) == 2
    if 'seed' in change:
        assert not np.array_equal(base.arrays['images'],
                                  other.arrays['images'])
    if 'split' in change:  # the content depends only on the parameters
        assert np.array_equal(base.arrays['images'], other.arrays['images'])


def test_data_root_is_a_file_raises(tmp_path, no_generation):
    path = tmp_path / 'not_a_dir'
    path.write_text('x')
    with pytest.raises(DatasetLayoutError) as info:
        make(path)
    msg = str(info.value)
    assert f'data_root {path} exists but is not a directory' in msg
    assert 'Expected layout: <data_root>/sort_of_clevr_<split>_<hash>.npz' \
        in msg
    assert isinstance(info.value, FileNotFoundError)


def test_generate_false_without_cache_raises(tmp_path, no_generation):
    with pytest.raises(DatasetLayoutError) as info:
        make(tmp_path, generate=False)
    msg = str(info.value)
    assert 'Sort-of-CLEVR set not found' in msg
    assert str(tmp_path) in msg and '.npz does not exist' in msg
    assert 'generate=False' in msg and 'Expected layout' in msg
    assert os.listdir(tmp_path) == []


def test_generate_false_with_cache_loads(tmp_path):
    make(tmp_path)
    assert len(make(tmp_path, generate=False)) == 60


def test_lazy_init_does_not_generate(tmp_path, no_generation):
    ds = make(tmp_path, lazy_init=True)
    assert os.listdir(tmp_path) == []
    with pytest.raises(AssertionError, match='generate_sort_of_clevr'):
        len(ds)


def _corrupt(tmp_path, writer, monkeypatch):
    """Generate a cache, damage it with ``writer``, forbid regeneration."""
    path = make(tmp_path).cache_path
    writer(path)

    def fail(*args, **kwargs):
        raise AssertionError('generate_sort_of_clevr was called')

    monkeypatch.setattr(soc_module, 'generate_sort_of_clevr', fail)
    return path


def test_garbage_cache_raises(tmp_path, monkeypatch):
    path = _corrupt(tmp_path, lambda p: Path(p).write_bytes(
        bytes(range(256)) * 8), monkeypatch)
    with pytest.raises(DatasetLayoutError) as info:
        make(tmp_path)
    msg = str(info.value)
    assert f'Sort-of-CLEVR cache {path} is unreadable' in msg
    assert 'Expected layout' in msg
    assert 'Delete the file to regenerate it.' in msg


def test_empty_cache_raises(tmp_path, monkeypatch):
    path = _corrupt(tmp_path, lambda p: Path(p).write_bytes(b''), monkeypatch)
    with pytest.raises(DatasetLayoutError,
                       match=re.escape(f'cache {path} is unreadable')):
        make(tmp_path)


def test_truncated_cache_raises_layout_error(tmp_path, monkeypatch):
    def truncate(p):
        data = Path(p).read_bytes()
        Path(p).write_bytes(data[:len(data) // 2])

    path = _corrupt(tmp_path, truncate, monkeypatch)
    with pytest.raises(DatasetLayoutError, match=re.escape(f'cache {path}')):
        make(tmp_path)


def test_npy_in_place_of_npz_raises_layout_error(tmp_path, monkeypatch):
    def write_npy(p):
        with open(p, 'wb') as f:
            np.save(f, np.zeros(3))

    path = _corrupt(tmp_path, write_npy, monkeypatch)
    with pytest.raises(DatasetLayoutError, match=re.escape(f'cache {path}')):
        make(tmp_path)


def test_cache_missing_arrays_raises(tmp_path, monkeypatch):
    def drop(p):
        with np.load(p) as npz:
            kept = {k: npz[k] for k in npz.files if k not in ('answer',
                                                              'images')}
        with open(p, 'wb') as f:
            np.savez(f, **kept)

    path = _corrupt(tmp_path, drop, monkeypatch)
    with pytest.raises(DatasetLayoutError) as info:
        make(tmp_path)
    msg = str(info.value)
    assert f"cache {path} lacks the arrays ['images', 'answer']" in msg
    assert 'Expected layout' in msg


def test_samples_do_not_alias_the_dataset(tmp_path):
    ds = make(tmp_path, pipeline=[PackVLInputs()])
    before = ds[0]['inputs']['question'].clone()
    ds[0]['inputs']['question'].add_(1)
    assert ds[0]['inputs']['question'].tolist() == before.tolist()


def test_cfg_options_num_images_override(tmp_path):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/_base_/datasets/sort_of_clevr.py'))
    assert cfg.train_dataloader.dataset.num_images == 9800
    merge_cfg_options(
        cfg, {
            'train_dataloader.dataset.num_images': 2,
            'train_dataloader.dataset.data_root': str(tmp_path),
        })
    assert cfg.train_dataloader.dataset.num_images == 2
    # the pipeline is a list of dicts: built through the root TRANSFORMS
    # registry, which needs the default scope the Runner sets
    with DefaultScope.overwrite_default_scope('vlframe'):
        ds = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(ds) == 40
    assert ds.split == 'train' and ds.params['seed'] == 1
    assert npz_files(tmp_path)[0].startswith('sort_of_clevr_train_')
    assert ds[0]['inputs']['question'].shape == (11, )


def test_dict_pipeline_without_default_scope(tmp_path, monkeypatch):
    from collections import OrderedDict
    monkeypatch.setattr(DefaultScope, '_instance_dict', OrderedDict())
    ds = DATASETS.build(
        dict(type='SortOfClevrDataset', data_root=str(tmp_path),
             num_images=1, pipeline=[dict(type='PackVLInputs')]))
    assert ds[0]['inputs']['img'].shape == (3, 75, 75)



@pytest.mark.parametrize('family', ['non_relational', 'relational'])
def test_question_families_keeps_one_family(tmp_path, family):
    full = make(tmp_path)
    part = make(tmp_path, question_families=(family, ))
    # the same cache file: the filter is applied after loading
    assert len(npz_files(tmp_path)) == 1
    assert len(part) == 30  # 10 of each family per image, 3 images
    infos = [part.get_data_info(i) for i in range(len(part))]
    assert {info['question_family'] for info in infos} == {family}
    assert [info['sample_idx'] for info in infos] == list(range(30))
    # every kept sample is the full set's question of the same id
    for info in infos:
        same = full.get_data_info(info['question_id'])
        assert info['question_text'] == same['question_text']
        assert info['gt_answer'] == same['gt_answer']
        assert info['img_idx'] == same['img_idx']
    ids = [info['question_id'] for info in infos]
    offset = 0 if family == 'non_relational' else 10
    assert ids == [img * 20 + offset + q for img in range(3)
                   for q in range(10)]
    # the grouped sampler's image of every kept sample
    assert np.array_equal(part.image_ids(), [i['img_idx'] for i in infos])
    packed = make(tmp_path, question_families=(family, ),
                  pipeline=[PackVLInputs()])[29]
    assert packed['data_samples'].question_id == ids[29]


def test_question_families_bad_names_raise(tmp_path, no_generation):
    with pytest.raises(ValueError, match=r"unknown \['nonrelational'\]"):
        make(tmp_path, question_families=('nonrelational', ))
    with pytest.raises(ValueError, match='ternary needs ternary=True'):
        make(tmp_path, question_families=('ternary', ))
    with pytest.raises(ValueError, match='empty'):
        make(tmp_path, question_families=())
    # a single name is taken as a one-family tuple
    ds = make(tmp_path, question_families='relational', lazy_init=True)
    assert ds.question_families == ('relational', )


def test_question_families_ternary(tmp_path):
    ds = make(tmp_path, num_images=2, ternary=True,
              question_families=('relational', 'ternary'))
    assert len(ds) == 40
    assert {ds.get_data_info(i)['question_family']
            for i in range(40)} == {'relational', 'ternary'}
