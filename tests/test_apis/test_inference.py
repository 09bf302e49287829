"""init_model / inference_vqa on a Relation Network saved with mmengine's
own checkpoint code."""
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import save_checkpoint

from conftest import CNN_MLP_CONFIG, RN_CONFIG
from vlframe.apis import inference_vqa, init_model
from vlframe.datasets.generators import (ANSWER_VOCAB, generate_sort_of_clevr,
                                         question_text)
from vlframe.registry import MODELS
from vlframe.utils import CheckpointMismatchError, register_all_modules


@pytest.fixture(scope='module')
def rn_checkpoint(tmp_path_factory):
    register_all_modules()
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(RN_CONFIG).model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'rn.pth')
    save_checkpoint(
        dict(state_dict=model.state_dict(),
             meta=dict(dataset_meta=dict(classes=ANSWER_VOCAB))), path)
    return path, model


@pytest.fixture(scope='module')
def image():
    return generate_sort_of_clevr(num_images=1, seed=3)['images'][0]


def test_init_model_loads_weights_and_vocabulary(rn_checkpoint):
    path, reference = rn_checkpoint
    model = init_model(RN_CONFIG, path)
    assert not model.training
    assert model.dataset_meta['classes'] == ANSWER_VOCAB
    for key, value in reference.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key


def test_inference_vqa_returns_topk_answers_equal_to_the_batch_path(
        rn_checkpoint, image, tmp_path):
    path, _ = rn_checkpoint
    model = init_model(RN_CONFIG, path)
    question = question_text(1, 0, 2)  # closest to the blue object
    answers = inference_vqa(model, image, question, topk=3)
    assert len(answers) == 3
    assert all(a in ANSWER_VOCAB for a, _ in answers)
    scores = [s for _, s in answers]
    assert scores == sorted(scores, reverse=True)

    # the same numbers as the model on the dataset's own encoding
    from vlframe.datasets.generators import encode_questions
    code = torch.from_numpy(encode_questions([1], [0], [2], [-1], False))
    img = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        probs = torch.softmax(model(dict(img=img, question=code)), 1)[0]
    top = probs.topk(3)
    assert [a for a, _ in answers] == [ANSWER_VOCAB[i] for i in top.indices]
    np.testing.assert_allclose(scores, top.values.numpy(), rtol=1e-5)

    # an image file (lossless PNG) gives exactly the array's answers
    file = str(tmp_path / 'img.png')
    mmcv.imwrite(image[..., ::-1], file)  # imwrite takes BGR
    assert inference_vqa(model, file, question, topk=3) == answers


def test_inference_vqa_bad_input(rn_checkpoint, image, tmp_path):
    path, _ = rn_checkpoint
    model = init_model(RN_CONFIG, path)
    with pytest.raises(ValueError, match='not a Sort-of-CLEVR question'):
        inference_vqa(model, image, 'What colour is the sky?')
    with pytest.raises(FileNotFoundError, match='missing.png'):
        inference_vqa(model, str(tmp_path / 'missing.png'),
                      question_text(0, 0, 0))
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'not a png')
    with pytest.raises(ValueError, match='broken.png'):
        inference_vqa(model, str(broken), question_text(0, 0, 0))
    with pytest.raises(ValueError, match='uint8 RGB'):
        inference_vqa(model, image[..., 0], question_text(0, 0, 0))
    with pytest.raises(FileNotFoundError, match='no_such_config.py'):
        init_model('no_such_config.py')
    # a checkpoint of another model is refused, not loaded loosely
    with pytest.raises(CheckpointMismatchError, match='does not match'):
        init_model(CNN_MLP_CONFIG, path)


@pytest.mark.parametrize('first, loads_image', [
    (dict(type='LoadImageFromFile'), True),
    # pre-extracted features are not an image loader, although the type
    # name holds "Load" and "Image"
    (dict(type='LoadImageFeature'), False),
    (dict(type='EncodeSortOfClevrQuestion'), False),
])
def test_test_pipeline_keeps_a_loader_for_files_only(first, loads_image):
    """The image loader is recognised by class (any mmcv-derived
    LoadImageFromFile), kept for a file and dropped for an array."""
    from types import SimpleNamespace

    from vlframe.apis.inference import _test_pipeline
    register_all_modules()
    pipeline = [first, dict(type='PackVLInputs', input_keys=('question', ))]
    model = SimpleNamespace(cfg=Config(dict(test_dataloader=dict(
        dataset=dict(pipeline=pipeline)))))
    for image, expected_len in (('x.png', 2),
                                (np.zeros((4, 4, 3), np.uint8),
                                 1 if loads_image else 2)):
        compose, found = _test_pipeline(model, image)
        assert found is loads_image
        assert len(compose.transforms) == expected_len
