# The quick start (`make demo`): rn_sort-of-clevr_1h.py shortened to 2
# epochs (392k training questions; not yet timed end to end), warm-up 500
# iterations.
_base_ = './rn_sort-of-clevr_1h.py'

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
default_hooks = dict(logger=dict(interval=100))
