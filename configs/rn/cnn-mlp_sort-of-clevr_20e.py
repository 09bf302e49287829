# The CNN+MLP baseline on the RN's training budget: rn_sort-of-clevr.py's
# 20 epochs (3.9M questions) instead of the reimplementation's 100, so the
# two learning curves compare equal numbers of training questions.
_base_ = ['./cnn-mlp_sort-of-clevr.py']

train_cfg = dict(max_epochs=20)
