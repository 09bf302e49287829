# GCN (Kipf & Welling 2017): dropout 0.5 on the input features and the
# hidden layer, GCNConv 1433 -> 16, ReLU, GCNConv 16 -> 7 (sizes for Cora).
# SparseInputDropout is nn.Dropout's distribution drawn for the nonzero
# features only (bag-of-words inputs are 98.7% zeros).
model = dict(
    type='NodeClassifier',
    backbone=dict(
        type='GNNStack',
        layers=[
            dict(type='GCNConv', in_channels=1433, out_channels=16),
            dict(type='GCNConv', in_channels=16, out_channels=7),
        ],
        dropout=0.5,
        input_dropout=dict(type='SparseInputDropout', p=0.5)))
