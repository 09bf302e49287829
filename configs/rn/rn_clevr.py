# Relation Network on CLEVR v1.0 from pixels with the RN paper's setup
# (configs/_base_/models/relation_network_clevr.py): Adam, lr 2.5e-4,
# batch 64 (the paper trains on 10 workers with synchronous updates; one
# batch of 64 per step here), constant learning rate. The paper does not
# state its number of epochs; 20 with the best validation checkpoint kept
# is ours.
_base_ = [
    '../_base_/models/relation_network_clevr.py',
    '../_base_/datasets/clevr.py',
    '../_base_/default_runtime.py',
]

# one tokenizer for the pipelines and the question encoder's vocabulary
model = dict(question_encoder=dict(tokenizer_dir={{_base_.tokenizer_dir}}))

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='Adam', lr=2.5e-4))
param_scheduler = []
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=64)

default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
