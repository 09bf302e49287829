# APPNP, "predict then propagate" (Klicpera et al. 2019): a 2-layer MLP of
# 64 hidden units with dropout 0.5 (1433 -> 64 -> 7 for Cora), then K = 10
# steps of personalized-PageRank propagation with teleport alpha = 0.1
# (torch_geometric's APPNP, usable after any predictor).
model = dict(
    type='NodeClassifier',
    backbone=dict(
        type='GNNStack',
        layers=[
            dict(type='pyg.Linear', in_channels=1433, out_channels=64),
            dict(type='pyg.Linear', in_channels=64, out_channels=7),
        ],
        dropout=0.5,
        input_dropout=dict(type='SparseInputDropout', p=0.5)),
    propagation=dict(type='pyg.APPNP', K=10, alpha=0.1))
