# Sort-of-CLEVR (Santoro et al. 2017), generated on first use into data_root.
# 9,800 train / 200 test images x 20 questions (10 relational, 10 not).
dataset_type = 'SortOfClevrDataset'
data_root = 'data/sort_of_clevr'

train_pipeline = [dict(type='PackVLInputs', input_keys=('question', ))]
# EncodeSortOfClevrQuestion passes dataset samples through; it encodes the
# English question of a user's sample (inference_vqa, demo/vqa_demo.py)
test_pipeline = [
    dict(type='EncodeSortOfClevrQuestion'),
    dict(type='PackVLInputs', input_keys=('question', ))
]

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        num_images=9800,
        seed=1,
        ternary=False,
        pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=250,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        num_images=200,
        # another seed than train: the test images are new images
        seed=2,
        ternary=False,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='QuestionTypeAccuracy')
test_evaluator = val_evaluator
