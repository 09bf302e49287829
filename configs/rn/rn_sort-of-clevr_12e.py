# A longer time-boxed CPU run of the Relation Network (11.7 min per epoch
# with 2 threads on the 2026-12-01 machine; configs/rn/README.md):
# the model and bf16 autocast of rn_sort-of-clevr.py, Adam 3e-4 with warm-up
# for 12 epochs (2.35M training questions, adam-3e-4_warmup_12e.py).
_base_ = [
    '../_base_/models/relation_network.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam-3e-4_warmup_12e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(type='AutocastOptimWrapper', dtype='bfloat16')
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
