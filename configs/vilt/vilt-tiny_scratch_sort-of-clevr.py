# A small ViLT trained from scratch on Sort-of-CLEVR's English questions:
# transformers' ViltForQuestionAnswering with a config of our choosing, no
# pre-trained weights, the 75x75 images and the questions as ViLT sees
# them (patches + WordPiece tokens in one transformer).
#
# Model (266k parameters):
#   - patch_size 15 = image_size 75 / 5: a 5x5 grid of 25 patch tokens, the
#     same 25 cells as the RN's 5x5 conv feature map, and an exact tiling (no
#     pixel dropped, no interpolation of the position embeddings). Objects
#     are 11 px squares or r=5 circles, so one object covers 1 to 4
#     patches. Smaller patches cost quadratically more: patch 5 (225 tokens)
#     is ~6x slower per question.
#   - hidden 64, 4 layers, 4 heads of 16, MLP 256, no dropout: ~41 tokens
#     per question (~15 text + 1 image [CLS] + 25 patches). Small, so that an
#     hour holds 6 epochs: the model first sits on a plateau (answering from
#     the question alone) until it learns to find "the red object"; in
#     1-minute probes a 4-layer model found it for one colour after ~20k
#     questions, and more questions is what gets it past the plateau for
#     six. 128 wide it is 2.5x slower per question.
#   - initializer_range 0.1 (~1/sqrt(64); ViLT-B's 0.02 is for width 768:
#     at 0.02 attention passes almost nothing of the image to the text
#     [CLS], whose pooled output then barely depends on the image) and the
#     image position embeddings drawn with std 1.0, the scale of the patch
#     embeddings (transformers leaves them at 0; ViLT loads them from a ViT;
#     with 0 or 0.1, "is the red object on the left?" was not learned in
#     27k questions, with 1.0 in ~20k).
#   - text: the whole-word tokenizer built from the generator's questions
#     (the one the CNN+LSTM config uses; 42 tokens with the ternary
#     questions' words, vocab_size 64 leaves room), [CLS] question [SEP],
#     max 40 positions.
#   - images: not resized, (x / 255 - 0.5) / 0.5 (ViLT's normalisation).
#   - BCE x 10 on the one-hot answers (ViLT's VQA loss; stack_answer_targets
#     turns the single gt_answer into a one-hot row).
# Schedule: AdamW lr 1e-3 (a from-scratch rate for a model this small;
# ViLT's 1e-4 is for fine-tuning a pre-trained ViLT-B), betas (0.9, 0.98),
# weight decay 0.01 except biases and LayerNorm weights (as ViLT); batch
# 64 (3,063 steps per epoch); ViLT's shape, linear warm-up then linear
# decay to 0, with a shorter warm-up: a third of an epoch (1,021 steps)
# instead of ViLT's 10% of the steps (1,838 here), which would hold the
# rate low through much of the plateau; 6 epochs (1.18M questions, as
# rn_sort-of-clevr_6e.py). Data in the main process (num_workers=0): a
# worker's 64 x 3 small tensors per batch cost more to pass between
# processes (0.22 s per step) than the 20 ms of transforms (0.15 s).
# Time: 52 min for the 6 epochs with 1 thread on this 2-core machine
# (2026-12-02, 7.4-10.3 min per epoch, the other core busy); it reached
# 64.30% non-relational, 58.00% relational (configs/vilt/README.md).
# Before training, build the tokenizer once (shared with
# configs/vqa_lstm/vqa-lstm_sort-of-clevr.py):
#   python tools/dataset_converters/build_question_vocab.py \
#       --sort-of-clevr --out-dir data/sort_of_clevr/tokenizer
_base_ = [
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/default_runtime.py',
]

tokenizer_dir = 'data/sort_of_clevr/tokenizer'

model = dict(
    type='ViltVQA',
    num_labels=10,
    config=dict(
        vocab_size=64,
        pad_token_id=0,
        max_position_embeddings=40,
        hidden_size=64,
        num_hidden_layers=4,
        num_attention_heads=4,
        intermediate_size=256,
        initializer_range=0.1,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        image_size=75,
        patch_size=15,
        max_image_length=-1),
    image_embedding_init_std=1.0,
    data_preprocessor=dict(type='VLDataPreprocessor', pad_token_id=0))

pipeline = [
    # keep_img: the raw image stays in the batch for --show-dir / the demo
    dict(
        type='ViltImagePreprocess',
        do_resize=False,
        image_mean=(0.5, 0.5, 0.5),
        image_std=(0.5, 0.5, 0.5),
        keep_img=True),
    dict(
        type='TokenizeQuestion',
        tokenizer_dir=tokenizer_dir,
        max_length=40,
        add_special_tokens=True),
    dict(type='PackVLInputs', input_keys=('input_ids', 'pixel_values')),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(pipeline=pipeline))
val_dataloader = dict(
    num_workers=0, persistent_workers=False, dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.98), eps=1e-8,
        weight_decay=0.01),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
# warm-up over the first third of an epoch (1,021 steps); the configs that
# inherit this one and change the schedule start with it too
lr_warmup = dict(
    type='LinearLR',
    start_factor=1e-3,
    end_factor=1.0,
    by_epoch=True,
    begin=0,
    end=1 / 3,
    convert_to_iter_based=True)
param_scheduler = [
    lr_warmup,
    # then linear decay to 0 at the end of epoch 6
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=True,
        begin=1 / 3,
        end=6,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=64)

default_hooks = dict(
    checkpoint=dict(save_best='accuracy/non_relational', rule='greater'))
