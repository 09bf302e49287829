# ViLT-B/32 fine-tuned on VQAv2 with the paper's recipe (Kim et al. 2021,
# Sec. 4.2; dandelin/ViLT vilt/config.py `task_finetune_vqa` and
# vilt/modules/vilt_utils.py `set_schedule`):
#   - from the pre-trained dandelin/vilt-b32-mlm, a new 3,129-answer head
#     (hidden -> 1536 -> LayerNorm -> GELU -> 3129), BCE x num_labels on the
#     soft targets; dropout 0.1;
#   - images: shorter side 384, longer <= 640, multiples of 32, mean = std =
#     0.5 (ViltImageProcessor), padded per batch with a pixel_mask;
#     questions: bert-base-uncased, <= 40 tokens;
#   - AdamW lr 1e-4, betas (0.9, 0.98), eps 1e-8, weight decay 0.01 except
#     biases and LayerNorms, the head at 10x lr (lr_mult = 10);
#   - batch 256, 10 epochs, linear warm-up over the first 10% of the steps
#     (= epoch 1) from 0, then linear decay to 0.
# Differences: ViLT trains on train2014 + val2014 minus 1,000 val images
# ("trainable_val") and validates 10 times per epoch; here train2014 /
# val2014 and once per epoch (configs/vilt/README.md). The warm-up starts
# at 1e-4 x lr, not 0 (mmengine's LinearLR needs a start factor > 0).
_base_ = [
    '../_base_/models/vilt_vqa.py',
    '../_base_/default_runtime.py',
]

checkpoint_dir = 'checkpoints/vilt-b32-mlm'
dataset_type = 'VQADataset'
data_root = 'data/vqa_v2'

# ViLT's "pixelbert" transform, no augmentation (the _randaug variant adds
# RandAugment); per sample, in the dataloader workers
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ViltImagePreprocess', processor_dir=checkpoint_dir),
    dict(
        type='TokenizeQuestion',
        tokenizer_dir=checkpoint_dir,
        max_length=40,
        add_special_tokens=True),
    dict(type='PackVLInputs', input_keys=('input_ids', 'pixel_values')),
]
test_pipeline = train_pipeline

# 32 per GPU; with accumulative_counts=8 one GPU takes ViLT's 256 questions
# per step. On 8 GPUs: --cfg-options optim_wrapper.accumulative_counts=1
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        question_file='v2_OpenEnded_mscoco_train2014_questions.json',
        annotation_file='v2_mscoco_train2014_annotations.json',
        # tools/dataset_converters/vqa_answer_vocab.py --min-count 9 over
        # train2014 + val2014 annotations: the 3,129 answers
        answer_vocab_file='answer_vocab.json',
        img_prefix='train2014',
        # ViLT trains only on questions with an answer in the vocabulary
        filter_cfg=dict(drop_without_label=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        question_file='v2_OpenEnded_mscoco_val2014_questions.json',
        annotation_file='v2_mscoco_val2014_annotations.json',
        answer_vocab_file='answer_vocab.json',
        img_prefix='val2014',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# the official VQA accuracy, and ViLT's train-time soft score beside it
val_evaluator = [dict(type='VQAAccuracy'), dict(type='VQASoftScoreAccuracy')]
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.01),
    accumulative_counts=8,
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        # the answer classifier (Linear 0, LayerNorm 1, GELU 2, Linear 3) at
        # 10x lr; a custom key replaces the norm/bias rules, so the head's
        # biases and LayerNorm get their decay_mult=0 here
        custom_keys={
            'classifier.': dict(lr_mult=10.0),
            'classifier.0.bias': dict(lr_mult=10.0, decay_mult=0.0),
            'classifier.1.': dict(lr_mult=10.0, decay_mult=0.0),
            'classifier.3.bias': dict(lr_mult=10.0, decay_mult=0.0),
        }))
param_scheduler = [
    # warm-up: 10% of 10 epochs
    dict(
        type='LinearLR',
        start_factor=1e-4,
        end_factor=1.0,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    # linear decay to 0 over the other 90%
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=True,
        begin=1,
        end=10,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=256)

default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(save_best='VQA/acc', rule='greater', max_keep_ckpts=2))
