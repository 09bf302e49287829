"""Tests for vlframe/visualization/vqa_visualizer.py."""
import itertools

import mmcv
import numpy as np
import pytest
import torch

from vlframe.datasets.generators.sort_of_clevr import ANSWER_VOCAB
from vlframe.registry import VISUALIZERS
from vlframe.structures import VLDataSample
from vlframe.visualization import VQAVisualizer

_names = itertools.count()


def make_visualizer(**kwargs):
    # Visualizer is a ManagerMixin: every instance needs its own name
    return VQAVisualizer(name=f'test_vqa_visualizer_{next(_names)}', **kwargs)


def image():
    img = np.full((75, 75, 3), 255, dtype=np.uint8)
    img[10:21, 30:41] = (255, 0, 0)  # a red square
    img[50:55, 5:10] = (0, 0, 255)
    return img


def sample(pred=3, gt=2, score=True):
    s = VLDataSample(metainfo=dict(
        question_id=4,
        question_text='What is the shape of the red object?'))
    if gt is not None:
        s.set_gt_answer(gt)
    if pred is not None:
        s.set_pred_answer(pred)
        if score:
            p = torch.full((10, ), 0.1 / 9)
            p[pred] = 0.9
            s.set_pred_score(p)
    return s


@pytest.fixture
def recorded_texts(monkeypatch):
    """(text, colour) of every draw_texts call."""
    calls = []
    original = VQAVisualizer.draw_texts

    def record(self, texts, positions, **kwargs):
        calls.append((texts, kwargs.get('colors')))
        return original(self, texts, positions, **kwargs)

    monkeypatch.setattr(VQAVisualizer, 'draw_texts', record)
    return calls


def test_writes_enlarged_png_with_text_band(tmp_path):
    vis = make_visualizer(answer_vocab=ANSWER_VOCAB)
    img = image()
    out_file = tmp_path / 'vis' / '4.png'
    drawn = vis.add_datasample('question_4', img, sample(),
                               out_file=str(out_file))
    # 75 px -> x4 = 300 (min_size 300), plus a 70 px band
    assert drawn.shape == (370, 300, 3)
    assert drawn.dtype == np.uint8
    assert out_file.is_file()
    written = mmcv.imread(str(out_file), channel_order='rgb')
    assert written.shape == (370, 300, 3)
    assert written.shape[0] > img.shape[0] and written.shape[1] > \
        img.shape[1]
    np.testing.assert_array_equal(written, drawn)
    # RGB: the enlarged red square is red, nearest neighbour keeps edges
    enlarged = np.repeat(np.repeat(img, 4, axis=0), 4, axis=1)
    np.testing.assert_array_equal(drawn[:300], enlarged)
    assert drawn[15 * 4, 35 * 4].tolist() == [255, 0, 0]
    # the band has text in it (not all white) and is white at the far right
    band = drawn[300:]
    assert (band < 128).any()
    assert (band[:, -3:] == 255).all()


def test_answer_strings_from_vocab_and_colours(recorded_texts, tmp_path):
    vis = make_visualizer(answer_vocab=ANSWER_VOCAB)
    vis.add_datasample('q', image(), sample(pred=3, gt=2),
                       out_file=str(tmp_path / 'a.png'))
    assert recorded_texts == [
        ('What is the shape of the red object?', 'black'),
        ('prediction: circle (0.90)', 'red'),  # wrong answer: red
        ('ground truth: rectangle', 'black'),
    ]
    recorded_texts.clear()
    vis.add_datasample('q', image(), sample(pred=5, gt=5, score=False),
                       out_file=str(tmp_path / 'b.png'))
    assert recorded_texts[1:] == [('prediction: 2', 'green'),
                                  ('ground truth: 2', 'black')]


def test_vocab_from_dataset_meta_or_indices(recorded_texts, tmp_path):
    vis = make_visualizer()
    vis.add_datasample('q', image(), sample(pred=0, gt=1, score=False),
                       out_file=str(tmp_path / 'a.png'))
    assert [t for t, _ in recorded_texts[1:]] == ['prediction: 0',
                                                  'ground truth: 1']
    recorded_texts.clear()
    vis.dataset_meta = dict(classes=ANSWER_VOCAB)
    vis.add_datasample('q', image(), sample(pred=0, gt=1, score=False),
                       out_file=str(tmp_path / 'b.png'))
    assert [t for t, _ in recorded_texts[1:]] == ['prediction: yes',
                                                  'ground truth: no']


def test_draw_flags_and_missing_fields(recorded_texts, tmp_path):
    vis = make_visualizer(answer_vocab=ANSWER_VOCAB)
    vis.add_datasample('q', image(), sample(), draw_gt=False,
                       out_file=str(tmp_path / 'a.png'))
    assert [t for t, _ in recorded_texts[1:]] == [
        'prediction: circle (0.90)'
    ]
    recorded_texts.clear()
    vis.add_datasample('q', image(), sample(pred=None, gt=9),
                       out_file=str(tmp_path / 'b.png'))
    assert recorded_texts[1:] == [('ground truth: 6', 'black')]


def test_min_size_and_no_out_file():
    vis = VISUALIZERS.build(
        dict(type='VQAVisualizer', name=f'test_vqa_vis_{next(_names)}',
             answer_vocab=ANSWER_VOCAB, min_size=150))
    assert isinstance(vis, VQAVisualizer)
    drawn = vis.add_datasample('q', image(), sample())  # no backend: no file
    # text band: 20 px per line + 10; at 150 px the question wraps onto two
    # lines, then prediction and ground truth
    assert drawn.shape == (150 + 20 * 4 + 10, 150, 3)
    # an image already larger than min_size is not shrunk
    big = np.zeros((400, 500, 3), dtype=np.uint8)
    # (and the question fits on one line)
    assert vis.add_datasample('q', big, sample()).shape == (
        400 + 20 * 3 + 10, 500, 3)
