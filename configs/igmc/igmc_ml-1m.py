# IGMC on MovieLens-1M, random 90/10 split (paper: RMSE 0.857), as
# muhanzhang/IGMC README runs it:
#   python Main.py --data-name ml_1m --save-appendix _mnhp100
#       --data-appendix _mnph100 --max-nodes-per-hop 100 --testing
#       --epochs 40 --save-interval 5 --adj-dropout 0
#       --lr-decay-step-size 20 --ensemble --dynamic-train
# 40 epochs, batch 50, Adam 1e-3 (1e-4 after epoch 20), no edge dropout, at
# most 100 nodes per hop, test = ensemble of epochs 25/30/35/40.
# See README.md.
_base_ = [
    '../_base_/models/igmc.py',
    '../_base_/datasets/igmc_ml-1m.py',
    '../_base_/schedules/adam-1e-3_step-20_40e.py',
    '../_base_/default_runtime.py',
]

# ratings 1..5; --adj-dropout 0
model = dict(num_relations=5, edge_dropout=0.0)
