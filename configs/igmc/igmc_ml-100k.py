# IGMC on MovieLens-100K, fold u1 (paper: RMSE 0.905), as muhanzhang/IGMC
# README runs it:
#   python Main.py --data-name ml_100k --save-appendix _mnph200
#       --data-appendix _mnph200 --epochs 80 --max-nodes-per-hop 200
#       --testing --ensemble --dynamic-train
# 80 epochs, batch 50, Adam 1e-3 (1e-4 after epoch 50), at most 200 nodes
# per hop, test = ensemble of epochs 50/60/70/80. See README.md.
_base_ = [
    '../_base_/models/igmc.py',
    '../_base_/datasets/igmc_ml-100k.py',
    '../_base_/schedules/adam-1e-3_step-50_80e.py',
    '../_base_/default_runtime.py',
]

# ratings 1..5
model = dict(num_relations=5)
