# MovieLens-100K with the canonical fold u1.base / u1.test (80,000 / 20,000
# ratings 1..5), as IGMC's load_official_trainvaltest_split; at most 200
# users and 200 items per hop (README: --max-nodes-per-hop 200).
_base_ = ['./igmc_flixster.py']

data_root = 'data/movielens/ml-100k'
subgraphs = dict(data_format='ml-100k', fold='u1', max_nodes_per_hop=200)
train_dataloader = dict(dataset=dict(data_root=data_root, **subgraphs))
val_dataloader = dict(dataset=dict(data_root=data_root, **subgraphs))
test_dataloader = val_dataloader
