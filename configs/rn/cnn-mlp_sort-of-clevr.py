# CNN+MLP baseline on Sort-of-CLEVR with the reimplementation's schedule
# (Adam 1e-4, 100 epochs; like rn_sort-of-clevr.py, 64 questions per Adam
# step).
_base_ = [
    '../_base_/models/cnn_mlp.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam_20e.py',
    '../_base_/default_runtime.py',
]

train_cfg = dict(max_epochs=100)
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
