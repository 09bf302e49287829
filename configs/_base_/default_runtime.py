# Runtime shared by every vlframe config: hooks, logging, visualization.
default_scope = 'vlframe'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # vlframe's CheckpointHook: mmengine's, with atomic `last_checkpoint`
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=-1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # off unless tools/test.py --show-dir turns it on
    visualization=dict(type='VQAVisualizationHook', draw=False, interval=10),
)
# checkpoints carry the RNG state so that --resume continues exactly;
# the answer vocabulary of each dataset must fit the model's answer head
# (checked before training, validation and testing, naming the file)
custom_hooks = [
    dict(type='RNGStateHook'),
    dict(type='AnswerVocabCheckHook'),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo on a machine without CUDA
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='VQAVisualizer', vis_backends=vis_backends)

log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
