# APPNP (Klicpera et al. 2019) on Cora with the public split; see README.md.
_base_ = [
    '../_base_/models/appnp.py',
    '../_base_/datasets/planetoid_cora.py',
    '../_base_/schedules/full-batch_adam-0.01_early-stop.py',
    '../_base_/default_runtime.py',
]

# the paper: L2 5e-3 on the first layer, early stopping patience 100
# (at most 10,000 epochs there; it stops long before)
max_epochs = 1000
patience = 100
optim_wrapper = dict(optimizer=dict(weight_decay=5e-3))
train_cfg = dict(max_epochs=max_epochs)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    # no checkpoint every epoch: keep the best validation cross-entropy
    # (restored for testing) and the last
    checkpoint=dict(type='CheckpointHook', interval=-1, save_last=True,
                    save_best='cross_entropy', rule='less'))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='EarlyStoppingHook', monitor='cross_entropy', rule='less',
         min_delta=0.0, patience=patience),
]
