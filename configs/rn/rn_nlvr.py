# Relation Network on Cornell NLVR: the reimplementation's architecture
# (configs/_base_/models/relation_network_nlvr.py) and its optimiser (Adam,
# lr 3e-4, batch 256, constant), plus regularisation against the
# overfitting it reported (93% train vs 51.6% dev accuracy after 50
# epochs; of the epochs it printed, dev accuracy was highest, 58.0%, at
# epoch 5):
# - decoupled weight decay (AdamW) on the conv and linear weights (not on
#   biases and norm layers);
# - the label-preserving box permutation (PermuteNLVRBoxes, in the base
#   dataset config's train pipeline);
# - validation on dev after every epoch, the best checkpoint kept
#   (save_best) and training stopped once dev accuracy has not improved by
#   0.1 points for 5 epochs (mmengine's EarlyStoppingHook).
# The weight decay value is ours and untuned: no NLVR data on this machine.
_base_ = [
    '../_base_/models/relation_network_nlvr.py',
    '../_base_/datasets/nlvr.py',
    '../_base_/default_runtime.py',
]

# one tokenizer for the pipelines and the question encoder's vocabulary
model = dict(question_encoder=dict(tokenizer_dir={{_base_.tokenizer_dir}}))

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=3e-4, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = []
# the reimplementation's 50 epochs, as an upper bound for early stopping
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
auto_scale_lr = dict(enable=False, base_batch_size=256)

default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(
        type='EarlyStoppingHook',
        monitor='accuracy/overall',
        rule='greater',
        min_delta=0.1,
        patience=5,
        # a metric name that does not exist is an error, not a warning
        strict=True),
]
