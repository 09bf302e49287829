# vqa-lstm_sort-of-clevr.py with the question encoder (embedding, LSTM,
# projection) at 0.1x the learning rate of the rest. At the full rate the
# encoder drops the colour word within the first epoch (the encodings of
# the six colours end up alike) before the image side holds anything
# colour-specific to use it with. At 0.1x the colour stays and grows, and
# the non-relational accuracy left the colour-free plateau from epoch 14:
# 72.80% after the 24 epochs (~53 min here; configs/vqa_lstm/README.md).
_base_ = ['./vqa-lstm_sort-of-clevr.py']

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'question_encoder': dict(lr_mult=0.1)}))
