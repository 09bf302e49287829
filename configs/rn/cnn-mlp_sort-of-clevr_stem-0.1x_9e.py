# The CNN+MLP baseline on the same training budget as
# rn_sort-of-clevr_stem-0.1x_9e.py: the same 9 epochs (1.76M training
# questions), batch, learning rates and schedule (in fp32: the baseline is
# cheap, so it gets the more precise arithmetic).
_base_ = [
    '../_base_/models/cnn_mlp.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam-1e-3_stem-0.1x_warmup_9e.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
