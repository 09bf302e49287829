# "deeper LSTM Q + norm I" on VQA v1 (Antol et al. 2015) from pre-extracted
# 4096-d VGG-16 fc7 features, 1000 answers. Meant for a GPU; not run here.
#
# Data (data/README.md, "VQA v2 / v1"), built once:
#   python tools/dataset_converters/vqa_answer_vocab.py --top-k 1000 \
#       --annotations data/vqa/mscoco_train2014_annotations.json \
#       --out-dir data/vqa/v1
#   python tools/dataset_converters/build_question_vocab.py \
#       --vqa-questions data/vqa/OpenEnded_mscoco_train2014_questions.json \
#       --out-dir data/vqa/v1/tokenizer
#   fc7 features of every COCO image as data/vqa/features/
#   vgg16_fc7_{train,val}2014.h5 (image_ids (N,), features (N, 4096)).
# Optional GloVe start of the word embedding (frozen or not):
#   --cfg-options \
#       model.question_encoder.glove_file=data/glove/glove.6B.300d.txt
_base_ = [
    '../_base_/models/vqa_lstm.py',
    '../_base_/default_runtime.py',
]

data_root = 'data/vqa'
tokenizer_dir = 'data/vqa/v1/tokenizer'
answer_vocab_file = 'v1/answer_vocab.json'

model = dict(
    question_encoder=dict(tokenizer_dir=tokenizer_dir),
    image_neck=dict(in_channels=4096),
    head=dict(num_classes=1000))

train_pipeline = [
    dict(type='LoadImageFeature'),
    dict(type='TokenizeQuestion', tokenizer_dir=tokenizer_dir),
    dict(type='PackVLInputs', input_keys=('input_ids', ))
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='VQADataset',
        data_root=data_root,
        question_file='OpenEnded_mscoco_train2014_questions.json',
        annotation_file='mscoco_train2014_annotations.json',
        answer_vocab_file=answer_vocab_file,
        feature_file='features/vgg16_fc7_train2014.h5',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=512,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VQADataset',
        data_root=data_root,
        question_file='OpenEnded_mscoco_val2014_questions.json',
        annotation_file='mscoco_val2014_annotations.json',
        answer_vocab_file=answer_vocab_file,
        feature_file='features/vgg16_fc7_val2014.h5',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='VQAAccuracy')
test_evaluator = val_evaluator

# our choice for this config (not the original Torch code's): Adam 3e-4,
# batch 256, 30 epochs of VQA v1 train (248k questions), lr x0.1 at 20
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=3e-4),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[20], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=256)
default_hooks = dict(
    checkpoint=dict(save_best='VQA/acc', rule='greater'))
