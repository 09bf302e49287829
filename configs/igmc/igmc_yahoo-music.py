# IGMC on YahooMusic (paper: RMSE 19.1 on the 1..100 scale), as
# muhanzhang/IGMC README runs it:
#   python Main.py --data-name yahoo_music --epochs 40 --testing --ensemble
# 40 epochs, batch 50, Adam 1e-3, test = ensemble of epochs 10/20/30/40.
# See README.md.
_base_ = [
    '../_base_/models/igmc.py',
    '../_base_/datasets/igmc_yahoo-music.py',
    '../_base_/schedules/adam-1e-3_step-50_40e.py',
    '../_base_/default_runtime.py',
]

# one relation per distinct rating of the file (IGMC: len(class_values)):
# 71 of the values 1..100 occur in training_test_dataset.mat
model = dict(num_relations=71)
