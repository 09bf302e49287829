# APPNP on PubMed with the public split: the Cora config with the graph
# and the layer sizes of PubMed (500 features, 3 classes).
_base_ = ['./appnp_cora.py']

graph_name = 'PubMed'
train_dataloader = dict(dataset=dict(name=graph_name))
val_dataloader = dict(dataset=dict(name=graph_name))
test_dataloader = dict(dataset=dict(name=graph_name))
model = dict(
    backbone=dict(layers=[
        dict(type='pyg.Linear', in_channels=500, out_channels=64),
        dict(type='pyg.Linear', in_channels=64, out_channels=3),
    ]))
