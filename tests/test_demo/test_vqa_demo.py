"""demo/vqa_demo.py as a user runs it."""
import os.path as osp
import subprocess
import sys

import mmcv
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import save_checkpoint

from conftest import REPO, RN_CONFIG, tool_env
from vlframe.datasets.generators import (ANSWER_VOCAB, generate_sort_of_clevr,
                                         question_text)
from vlframe.registry import MODELS
from vlframe.utils import register_all_modules


def run_demo(*args):
    return subprocess.run(
        [sys.executable, osp.join(REPO, 'demo', 'vqa_demo.py'), *args],
        cwd=REPO, env=tool_env(), capture_output=True, text=True,
        timeout=120)


def test_vqa_demo_prints_and_draws_the_topk_answers(tmp_path):
    register_all_modules()
    model = MODELS.build(Config.fromfile(RN_CONFIG).model)
    ckpt = str(tmp_path / 'rn.pth')
    save_checkpoint(
        dict(state_dict=model.state_dict(),
             meta=dict(dataset_meta=dict(classes=ANSWER_VOCAB))), ckpt)
    image = str(tmp_path / 'img.png')
    mmcv.imwrite(generate_sort_of_clevr(1, seed=4)['images'][0][..., ::-1],
                 image)
    out = str(tmp_path / 'vis.png')
    proc = run_demo(image, question_text(0, 1, 3), RN_CONFIG, ckpt,
                    '--topk', '4', '--out-file', out)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f'Q: {question_text(0, 1, 3)}'
    ranked = [line.split() for line in lines[1:5]]
    assert [r[0] for r in ranked] == ['1.', '2.', '3.', '4.']
    assert all(r[1] in ANSWER_VOCAB for r in ranked)
    scores = [float(r[2]) for r in ranked]
    assert scores == sorted(scores, reverse=True) and sum(scores) <= 1.0001
    drawn = mmcv.imread(out)
    # the image enlarged to >= 300 px plus a text band of 5 lines
    assert drawn.shape[1] >= 300 and drawn.shape[0] > drawn.shape[1]

    proc = run_demo(image, 'Where is the cat?', RN_CONFIG, ckpt)
    assert proc.returncode != 0
    assert 'not a Sort-of-CLEVR question' in proc.stderr
    assert 'Traceback' not in proc.stderr
