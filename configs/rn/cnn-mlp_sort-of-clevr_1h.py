# The CNN+MLP baseline on the same training budget as rn_sort-of-clevr_1h.py:
# the same 6 epochs (1.18M training questions), batch, lr and schedule.
_base_ = './cnn-mlp_sort-of-clevr.py'

train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=False,
        begin=0,
        end=1000),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=6,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=6)
auto_scale_lr = dict(base_batch_size=64)
