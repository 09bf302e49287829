# The quick start (`make demo`): rn_sort-of-clevr_6e.py cut to 2 epochs
# (392k training questions): 500 warm-up iterations, Adam 3e-4, cosine decay
# over the second epoch.
_base_ = './rn_sort-of-clevr_6e.py'

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
        begin=1,
        end=2,
        convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=2)
default_hooks = dict(logger=dict(interval=100))
