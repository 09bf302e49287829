# The quick start (`make demo`): the first epoch of rn_sort-of-clevr_6e.py
# (196k training questions: 1000 warm-up iterations, then Adam 3e-4), so that
# set-up, data generation, training and the test fit in 20 minutes on a
# 2-core CPU whose bf16 RN step takes 0.2 s.
_base_ = './rn_sort-of-clevr_6e.py'

train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=100))
