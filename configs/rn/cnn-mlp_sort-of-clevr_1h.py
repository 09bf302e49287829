# The CNN+MLP baseline on the same training budget as rn_sort-of-clevr_1h.py:
# the same 6 epochs (1.18M training questions), batch, lr and schedule.
_base_ = [
    '../_base_/models/cnn_mlp.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam-1e-3_warmup-cosine_6e.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
