# GCN (Kipf & Welling 2017) on Cora with the public split; see README.md.
_base_ = [
    '../_base_/models/gcn.py',
    '../_base_/datasets/planetoid_cora.py',
    '../_base_/schedules/full-batch_adam-0.01_early-stop.py',
    '../_base_/default_runtime.py',
]

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    # no checkpoint every epoch: keep the best validation cross-entropy
    # (restored for testing) and the last
    checkpoint=dict(type='CheckpointHook', interval=-1, save_last=True,
                    save_best='cross_entropy', rule='less'))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='EarlyStoppingHook', monitor='cross_entropy', rule='less',
         min_delta=0.0, patience={{_base_.patience}}),
]
