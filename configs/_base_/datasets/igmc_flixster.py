# Flixster as GC-MC / IGMC use it: the 3,000 x 3,000 subset of Monti et al.
# (2017), training_test_dataset.mat with its fixed train / test masks,
# ratings 0.5..5 in half stars (10 relations). Each sample is the 1-hop
# enclosing subgraph of a rated pair (RatingSubgraphDataset: extracted on
# first use, cached under data_root); data/README.md says where the file
# comes from. IGMC's --testing mode: train on all training ratings, score
# the test ratings (also after every epoch, as the authors do).
dataset_type = 'RatingSubgraphDataset'
data_root = 'data/igmc/flixster'
# Main.py defaults: --hop 1, --max-nodes-per-hop 10000 (no limit here)
subgraphs = dict(
    data_format='monti', hop=1, max_nodes_per_hop=None, num_workers=2)

train_dataloader = dict(
    batch_size=50,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pyg_collate'),
    dataset=dict(
        type=dataset_type, data_root=data_root, split='train', **subgraphs))
# the ensemble test averages per sample: the test order must not change
val_dataloader = dict(
    batch_size=50,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pyg_collate'),
    dataset=dict(
        type=dataset_type, data_root=data_root, split='test', **subgraphs))
test_dataloader = val_dataloader

val_evaluator = dict(type='RatingMetric')
test_evaluator = val_evaluator
