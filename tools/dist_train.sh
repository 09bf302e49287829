#!/usr/bin/env bash
# Distributed training on one or more nodes with torchrun
# (`python -m torch.distributed.run`).
#
# Usage:
#   bash tools/dist_train.sh CONFIG GPUS [train.py args...]
#
# GPUS is the number of processes started on this node (--nproc_per_node).
# On a CPU-only machine it simply means the number of worker processes;
# tools/train.py picks the gloo backend in that case, nothing to do here.
#
# Multi-node: run the same command on every node with
#   NNODES=<nodes> NODE_RANK=<rank> MASTER_ADDR=<ip of rank 0> PORT=<port>
# Interpreter: PYTHON=/path/to/python (default: python).

if [ $# -lt 2 ]; then
    echo "Usage: bash $0 CONFIG GPUS [train.py args...]" >&2
    exit 1
fi

CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-"python"}

PYTHONPATH="$(dirname "$0")/.."${PYTHONPATH:+:$PYTHONPATH} \
${PYTHON} -m torch.distributed.run \
    --nnodes=${NNODES} \
    --node_rank=${NODE_RANK} \
    --master_addr=${MASTER_ADDR} \
    --nproc_per_node=${GPUS} \
    --master_port=${PORT} \
    "$(dirname "$0")/train.py" \
    "${CONFIG}" \
    --launcher pytorch "${@:3}"
