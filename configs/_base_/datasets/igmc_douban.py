# Douban (Monti et al. 2017 subset, 3,000 x 3,000, ratings 1..5): the
# Flixster settings with another file.
_base_ = ['./igmc_flixster.py']

data_root = 'data/igmc/douban'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
