# The CNN+LSTM VQA baseline on Sort-of-CLEVR's English questions, from
# scratch: the "deeper LSTM Q" question side as in VQA (300-d embedding,
# 2-layer LSTM 512, h and c of both layers -> fc + tanh 1024), and instead
# of VGG fc7 a small CNN trained with it: 4 conv blocks of 32-64-128-256
# channels (the RN paper's CNN widths; the RN configs' 24-channel stem
# loses colour in its last block, configs/rn/README.md), whose 5x5x256 map
# is flattened (not pooled: "is the red object on the left?" needs where it
# is), l2-normalised, fc + tanh 1024. Element-wise product, dropout 0.5,
# fc 1024 + tanh, softmax over the 10 answers.
#
# Before training, build the tokenizer once:
#   python tools/dataset_converters/build_question_vocab.py \
#       --sort-of-clevr --out-dir data/sort_of_clevr/tokenizer
# Schedule: batches of 16 images x their 20 questions, Adam 1e-3 clipped
# to norm 1, warm-up over epoch 1, cosine to 1e-5 at epoch 24 (4.7M
# training questions), fp32; 1.9 min per epoch measured on the 2-core
# CPU, ~46 min in all. It stays on the colour-free plateau (~60%
# non-relational); vqa-lstm_q-lr-0.1x_sort-of-clevr.py leaves it slowly
# (72.80%), vqa-lstm_bow-pretrained-q_sort-of-clevr.py (question encoder
# pre-trained on the questions' words, frozen) reaches 99.55%
# (configs/vqa_lstm/README.md).
_base_ = [
    '../_base_/models/vqa_lstm.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam-1e-3_clip-1_warmup_cosine_24e.py',
    '../_base_/default_runtime.py',
]

tokenizer_dir = 'data/sort_of_clevr/tokenizer'

model = dict(
    # images enter in [0, 1], as for the RN; each image of a batch goes
    # through the CNN once, however many of its questions the batch holds
    data_preprocessor=dict(
        mean=[0., 0., 0.], std=[255., 255., 255.], share_images=True),
    # the base has image_encoder=None (pre-extracted features)
    image_encoder=dict(
        _delete_=True,
        type='ConvStem',
        in_channels=3,
        channels=(32, 64, 128, 256),
        norm_cfg=dict(type='BN'),
        order=('conv', 'act', 'norm')),
    # 75x75 -> 5x5 after four stride-2 blocks
    image_neck=dict(in_channels=256 * 5 * 5),
    # forget gates start at 1 so that the colour word, five words before
    # the end of "Is the red object on the left?", reaches the encoding
    question_encoder=dict(tokenizer_dir=tokenizer_dir, forget_bias=1.0),
    head=dict(num_classes=10))

train_pipeline = [
    dict(type='TokenizeQuestion', tokenizer_dir=tokenizer_dir),
    dict(type='PackVLInputs', input_keys=('input_ids', ))
]
test_pipeline = train_pipeline

# 16 images x all 20 of their questions per batch
train_dataloader = dict(
    batch_size=320,
    sampler=dict(
        _delete_=True, type='ImageGroupedSampler', questions_per_image=20),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
