# IGMC's optimisation (muhanzhang/IGMC train_eval.py): Adam lr 1e-3, no
# weight decay, lr x0.1 every --lr-decay-step-size epochs (50, so never in
# a 40-epoch run), 40 epochs, the test set scored after every epoch.
# Test: the average prediction of the checkpoints of epochs
# range(epochs - 30, epochs + 1, 10) (Main.py --ensemble).
max_epochs = 40
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3, weight_decay=0))
param_scheduler = [
    dict(type='StepLR', by_epoch=True, step_size=50, gamma=0.1)
]
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(
    type='CheckpointEnsembleTestLoop',
    epochs=list(range(max_epochs - 30, max_epochs + 1, 10)))
# lr is for a batch of 50 subgraphs (tools/train.py --auto-scale-lr)
auto_scale_lr = dict(enable=False, base_batch_size=50)
