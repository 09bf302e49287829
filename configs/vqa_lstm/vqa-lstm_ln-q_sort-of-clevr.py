# vqa-lstm_sort-of-clevr.py with a LayerNorm between the question
# projection and its tanh. With the paper's fc + tanh, Adam saturates the
# question encoding within the first epoch (92% of its units beyond |0.99|
# after epoch 1, 100% from epoch 2 on) and no gradient reaches the LSTM
# again; with the LayerNorm under 1% were saturated after each of 3
# epochs. It did not leave the plateau any sooner: the encodings of the six
# colours became alike all the same (configs/vqa_lstm/README.md; that run
# was stopped after epoch 3). Kept so that measurement can be repeated.
_base_ = ['./vqa-lstm_sort-of-clevr.py']

model = dict(question_encoder=dict(out_norm='LN'))
