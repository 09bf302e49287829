# The RN paper's optimiser: Adam, lr 1e-4, constant; 20 epochs.
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = []
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# lr is for a total batch of 64 (tools/train.py --auto-scale-lr)
auto_scale_lr = dict(enable=False, base_batch_size=64)
