# A time-boxed CPU run of the Relation Network: the model and bf16 autocast
# of rn_sort-of-clevr.py, Adam 1e-3 for g and f with the conv stem at 0.1x
# (the paper's 1e-4), 9 epochs (1.76M training questions;
# _base_/schedules/adam-1e-3_stem-0.1x_warmup_9e.py). Measured on 2026-12-01:
# still on the colour plateau after epoch 5 (configs/rn/README.md).
_base_ = [
    '../_base_/models/relation_network.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam-1e-3_stem-0.1x_warmup_9e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(type='AutocastOptimWrapper', dtype='bfloat16')
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
