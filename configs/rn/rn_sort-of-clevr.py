# Relation Network on Sort-of-CLEVR with the paper's schedule (Adam 1e-4,
# 20 epochs, 64 questions per family per step, i.e. batches of 128 mixed
# questions). Hours on a CPU: meant for a GPU. Trains under bfloat16
# autocast (3x faster g-MLP on CPUs with avx512_bf16; fine on Ampere+ GPUs).
_base_ = [
    '../_base_/models/relation_network.py',
    '../_base_/datasets/sort_of_clevr.py',
    '../_base_/schedules/adam_20e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=128)
optim_wrapper = dict(type='AutocastOptimWrapper', dtype='bfloat16')
auto_scale_lr = dict(base_batch_size=128)
default_hooks = dict(
    checkpoint=dict(save_best='accuracy/overall', rule='greater'))
