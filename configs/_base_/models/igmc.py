# IGMC (Zhang & Chen, ICLR 2020), as muhanzhang/IGMC models.py builds it:
# 4 R-GCN layers of 32 with 4 bases and tanh, the layer outputs
# concatenated, the target user's and item's rows concatenated (256),
# Linear 128 - ReLU - dropout 0.5 - Linear 1; MSE + ARR 0.001; each edge
# dropped with p 0.2 in training (Main.py --adj-dropout 0.2, not forced
# undirected). A dataset config sets num_relations (its number of ratings).
model = dict(
    type='IGMC',
    # one-hot node labels of 1-hop subgraphs: 2 * hop + 2
    in_channels=4,
    num_relations=5,
    hidden_channels=[32, 32, 32, 32],
    # ours; dict(type='pyg.RGCNConv', num_bases=4) is torch_geometric's.
    # normalization: 'relation' = the paper's 1/|N_r(i)| (torch_geometric
    # >= 1.6); 'node' = 1/|N(i)|, torch_geometric 1.4's, which the authors'
    # published numbers come from (see README.md)
    conv=dict(type='RGCNConv', num_bases=4, normalization='node'),
    edge_dropout=0.2,
    force_undirected=False,
    head=dict(
        type='RatingHead',
        hidden_channels=128,
        dropout=0.5,
        loss=dict(type='MSELoss')),
    regularizer=dict(type='AdjacentRatingRegularizer', loss_weight=0.001),
    data_preprocessor=dict(type='GraphDataPreprocessor'))
