# The CNN+MLP baseline on the same training budget as rn_sort-of-clevr_12e.py:
# the same 12 epochs (2.35M training questions), batch, lr and schedule
# (in fp32: the baseline is cheap, so it gets the more precise arithmetic).
_base_ = [
    '../_base_/models/cnn_mlp.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam-3e-4_warmup_12e.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
