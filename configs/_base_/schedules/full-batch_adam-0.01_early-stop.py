# Full-batch node classification as GCN and APPNP train it: Adam lr 0.01,
# L2 regularisation on the first layer only (the papers' weight decay on
# the first layer's weights: 5e-4 for GCN, 5e-3 for APPNP), one step per
# epoch, validation after every step, stop when the validation
# cross-entropy has not improved for `patience` epochs, and keep the
# checkpoint of the best validation cross-entropy for testing.
max_epochs = 200
patience = 10

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=0.01, weight_decay=5e-4),
    # only the first layer is regularised: decay x0 for the second
    paramwise_cfg=dict(
        custom_keys={'backbone.layers.1': dict(decay_mult=0.0)}))

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
