# YahooMusic (Monti et al. 2017 subset, 3,000 x 3,000, ratings 1..100;
# those present are the relations): the Flixster settings with another
# file.
_base_ = ['./igmc_flixster.py']

data_root = 'data/igmc/yahoo_music'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
