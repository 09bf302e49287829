# Planetoid Cora (Yang et al. 2016) with its public split: 140 training,
# 500 validation and 1,000 test nodes of one graph. Full batch: the dataset
# is the one graph, so an epoch is one step. data_root holds Cora/raw/ as
# torch_geometric lays it out (see data/README.md); nothing is downloaded.
dataset_type = 'PlanetoidDataset'
data_root = 'data/planetoid'
graph_name = 'Cora'

train_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pyg_collate'),
    dataset=dict(
        type=dataset_type, data_root=data_root, name=graph_name,
        split='train'))
# validation and test: the same graph, scored on another public-split mask
val_dataloader = dict(
    train_dataloader, dataset=dict(train_dataloader['dataset'], split='val'))
test_dataloader = dict(
    train_dataloader, dataset=dict(train_dataloader['dataset'],
                                   split='test'))

val_evaluator = dict(type='NodeAccuracy')
test_evaluator = val_evaluator
