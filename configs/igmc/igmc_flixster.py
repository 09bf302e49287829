# IGMC on Flixster (paper: RMSE 0.872), as muhanzhang/IGMC README runs it:
#   python Main.py --data-name flixster --epochs 40 --testing --ensemble
# 40 epochs, batch 50, Adam 1e-3, test = ensemble of epochs 10/20/30/40.
# See README.md.
_base_ = [
    '../_base_/models/igmc.py',
    '../_base_/datasets/igmc_flixster.py',
    '../_base_/schedules/adam-1e-3_step-50_40e.py',
    '../_base_/default_runtime.py',
]

# ratings 0.5, 1, ..., 5
model = dict(num_relations=10)
