# The Relation Network's time-boxed CPU run (about an hour on one core): the
# model and bf16 autocast of rn_sort-of-clevr.py, the short schedule of
# adam-3e-4_warmup_6e.py (6 epochs, 1.18M training questions).
_base_ = [
    '../_base_/models/relation_network.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam-3e-4_warmup_6e.py',
    '../_base_/default_runtime.py',
]

optim_wrapper = dict(type='AutocastOptimWrapper', dtype='bfloat16')
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
