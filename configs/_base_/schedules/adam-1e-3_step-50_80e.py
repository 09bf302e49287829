# IGMC on MovieLens-100K (muhanzhang/IGMC README: --epochs 80): Adam lr
# 1e-3, lr x0.1 after epoch 50 (--lr-decay-step-size 50), 80 epochs; test
# with the ensemble of epochs 50, 60, 70, 80.
_base_ = ['./adam-1e-3_step-50_40e.py']

max_epochs = 80
train_cfg = dict(max_epochs=max_epochs)
test_cfg = dict(epochs=list(range(max_epochs - 30, max_epochs + 1, 10)))
