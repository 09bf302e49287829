# The quick start (`make demo`): the Relation Network of rn_sort-of-clevr.py
# on the default generated Sort-of-CLEVR, with a short CPU schedule (about
# 12 minutes on 2 cores): batch 64, lr 1e-3 after a 500-iteration linear
# warm-up, cosine decay over 2 epochs (392k training questions).
_base_ = './rn_sort-of-clevr.py'

train_dataloader = dict(batch_size=64)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=False,
        begin=0,
        end=500),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=2,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(logger=dict(interval=100))
