# Cornell NLVR (Suhr et al. 2017), the files as distributed in the nlvr/
# folder of https://github.com/lil-lab/nlvr (data/README.md has the
# layout): every PNG is a sample with its sentence's label, classes
# ('false', 'true'). Train on train, validate (early stopping, best
# checkpoint) on dev, test on the public test split.
#
# The tokenizer is built once from the training sentences:
#   python tools/dataset_converters/build_question_vocab.py \
#       --nlvr-jsonl data/nlvr/train/train.json --out-dir data/nlvr/tokenizer
dataset_type = 'NLVRDataset'
data_root = 'data/nlvr'
tokenizer_dir = 'data/nlvr/tokenizer'

# The images are 100x400; the RN reimplementation reads them at 50x200.
# Training permutes the three box panels first (label-preserving: the six
# images of a sentence are these permutations), on the full-size image
# whose box geometry PermuteNLVRBoxes knows.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PermuteNLVRBoxes'),
    dict(type='Resize', scale=(200, 50), keep_ratio=False),
    # the reimplementation pads / cuts sentences at 32 words
    dict(type='TokenizeQuestion', tokenizer_dir=tokenizer_dir, max_length=32),
    dict(type='PackVLInputs', input_keys=('input_ids', ))
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(200, 50), keep_ratio=False),
    dict(type='TokenizeQuestion', tokenizer_dir=tokenizer_dir, max_length=32),
    dict(type='PackVLInputs', input_keys=('input_ids', ))
]

train_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='dev',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        test_mode=True,
        pipeline=test_pipeline))

# accuracy over images, in percent: accuracy/overall
val_evaluator = dict(type='QuestionTypeAccuracy')
test_evaluator = val_evaluator
