# vqa-lstm_sort-of-clevr.py with a LayerNorm between the question
# projection and its tanh. With the paper's fc + tanh, Adam saturates the
# question encoding within the first epoch (92% of its units beyond |0.99|
# after epoch 1, 100% from epoch 2 on) and no gradient reaches the LSTM
# again; with the LayerNorm under 1% were saturated after each of 3
# epochs. It did not leave the plateau any sooner: the encodings of the six
# colours became alike all the same (configs/vqa_lstm/README.md). Kept as
# the variant to build on. 20 epochs: ~46 min here.
_base_ = ['./vqa-lstm_sort-of-clevr.py']

model = dict(question_encoder=dict(out_norm='LN'))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=1,
         end=20, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=20)
