# APPNP on CiteSeer with the public split: the Cora config with the graph
# and the layer sizes of CiteSeer (3703 features, 6 classes).
_base_ = ['./appnp_cora.py']

graph_name = 'CiteSeer'
train_dataloader = dict(dataset=dict(name=graph_name))
val_dataloader = dict(dataset=dict(name=graph_name))
test_dataloader = dict(dataset=dict(name=graph_name))
model = dict(
    backbone=dict(layers=[
        dict(type='pyg.Linear', in_channels=3703, out_channels=64),
        dict(type='pyg.Linear', in_channels=64, out_channels=6),
    ]))
