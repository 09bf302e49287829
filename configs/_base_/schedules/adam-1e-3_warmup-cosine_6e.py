# A short CPU schedule for Sort-of-CLEVR models: batch 64, Adam with lr 1e-3
# reached by a linear warm-up over 1000 iterations, then cosine decay to 1e-5
# over 6 epochs (1.18M training questions at the default 9,800 images).
# The paper's constant 1e-4 learns too slowly for a CPU budget (45%
# relational after 50k samples).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
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
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=64)
