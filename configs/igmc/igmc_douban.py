# IGMC on Douban (paper: RMSE 0.721), as muhanzhang/IGMC README runs it:
#   python Main.py --data-name douban --epochs 40 --testing --ensemble
# 40 epochs, batch 50, Adam 1e-3, test = ensemble of epochs 10/20/30/40.
# See README.md.
_base_ = [
    '../_base_/models/igmc.py',
    '../_base_/datasets/igmc_douban.py',
    '../_base_/schedules/adam-1e-3_step-50_40e.py',
    '../_base_/default_runtime.py',
]

# ratings 1..5
model = dict(num_relations=5)
