# CNN+MLP baseline on Sort-of-CLEVR with the reimplementation's schedule
# (Adam 1e-4, 100 epochs, 64 questions per family per step).
_base_ = [
    '../_base_/models/cnn_mlp.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam_20e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=128)
train_cfg = dict(max_epochs=100)
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
