# MovieLens-1M ratings.dat split at random 90/10 with IGMC's seed 1234
# (900,188 / 100,021 ratings 1..5); at most 100 users and 100 items per hop
# (README: --max-nodes-per-hop 100).
_base_ = ['./igmc_flixster.py']

data_root = 'data/movielens/ml-1m'
subgraphs = dict(
    data_format='ml-1m', split_seed=1234, test_ratio=0.1,
    max_nodes_per_hop=100)
train_dataloader = dict(dataset=dict(data_root=data_root, **subgraphs))
val_dataloader = dict(dataset=dict(data_root=data_root, **subgraphs))
test_dataloader = val_dataloader
