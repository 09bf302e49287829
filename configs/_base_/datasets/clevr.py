# CLEVR v1.0 (Johnson et al. 2017): CLEVR_v1.0.zip from
# https://cs.stanford.edu/people/jcjohns/clevr/ extracted to
# data/CLEVR_v1.0 (data/README.md has the layout); 28 answers, accuracy
# overall and per question type (exist, count, compare_integer,
# query_attribute, compare_attribute). The test split has no answers, so
# val is both the validation and the reported test set, as in the papers.
#
# The tokenizer is built once from the training questions:
#   python tools/dataset_converters/build_question_vocab.py \
#       --clevr-questions \
#       data/CLEVR_v1.0/questions/CLEVR_train_questions.json \
#       --out-dir data/clevr/tokenizer
dataset_type = 'CLEVRDataset'
data_root = 'data/CLEVR_v1.0'
tokenizer_dir = 'data/clevr/tokenizer'

# the RN paper scales the 480x320 renders to 128x128
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(128, 128), keep_ratio=False),
    dict(type='TokenizeQuestion', tokenizer_dir=tokenizer_dir),
    dict(type='PackVLInputs', input_keys=('input_ids', ))
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='QuestionTypeAccuracy')
test_evaluator = val_evaluator
