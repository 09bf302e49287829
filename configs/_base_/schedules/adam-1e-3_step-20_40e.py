# IGMC on MovieLens-1M (muhanzhang/IGMC README: --epochs 40
# --lr-decay-step-size 20 --save-interval 5): lr x0.1 after epoch 20; test
# with the ensemble of epochs range(epochs - 15, epochs + 1, 5) = 25, 30,
# 35, 40 (Main.py --ensemble for ml_1m).
_base_ = ['./adam-1e-3_step-50_40e.py']

max_epochs = 40
param_scheduler = [
    dict(type='StepLR', by_epoch=True, step_size=20, gamma=0.1)
]
train_cfg = dict(max_epochs=max_epochs)
test_cfg = dict(epochs=list(range(max_epochs - 15, max_epochs + 1, 5)))
