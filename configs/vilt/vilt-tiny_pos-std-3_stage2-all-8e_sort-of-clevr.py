# Stage 2 of 2 of the tiny ViLT on Sort-of-CLEVR: starts from the last
# checkpoint of stage 1 (vilt-tiny_scratch_pos-std-3_stage1-non-rel-4e_
# sort-of-clevr.py, 4 epochs on the non-relational questions) and trains on
# all questions for 8 epochs. Same model; the optimizer starts afresh
# (load_from loads the weights only), hence a warm-up again.
# Measured (2026-12-02, 1 thread; stage 1 11 min + this stage 45 min):
# 98.30% non-relational, 63.90% relational at epoch 8 (seed 1: 98.25 /
# 68.55), above the 80% non-relational issue 3 item 7 asks for.
# Run stage 1 first (configs/vilt/README.md):
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/vilt/vilt-tiny_scratch_pos-std-3_stage1-non-rel-4e_sort-of-clevr.py
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/vilt/vilt-tiny_pos-std-3_stage2-all-8e_sort-of-clevr.py
_base_ = ['./vilt-tiny_scratch_pos-std-3_12e_sort-of-clevr.py']

load_from = ('work_dirs/vilt-tiny_scratch_pos-std-3_stage1-non-rel-4e_'
             'sort-of-clevr/epoch_4.pth')

param_scheduler = [
    {{_base_.lr_warmup}},  # a third of an epoch (1,021 steps)
    # then linear decay to 0 at the end of epoch 8
    dict(
        type='LinearLR',
        start_factor=1.0,
        end_factor=0.0,
        by_epoch=True,
        begin=1 / 3,
        end=8,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=8)
