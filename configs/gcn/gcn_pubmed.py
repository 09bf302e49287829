# GCN on PubMed with the public split: the Cora config with the graph
# and the layer sizes of PubMed (500 features, 3 classes).
_base_ = ['./gcn_cora.py']

graph_name = 'PubMed'
train_dataloader = dict(dataset=dict(name=graph_name))
val_dataloader = dict(dataset=dict(name=graph_name))
test_dataloader = dict(dataset=dict(name=graph_name))
model = dict(
    backbone=dict(layers=[
        dict(type='GCNConv', in_channels=500, out_channels=16),
        dict(type='GCNConv', in_channels=16, out_channels=3),
    ]))
