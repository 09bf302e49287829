"""Collate graph samples into one torch_geometric ``Batch``."""
from typing import List, Sequence

from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from torch_geometric.data import Batch, Data

from vlframe.registry import FUNCTIONS


def pyg_collate(data_batch: Sequence[dict]) -> dict:
    """``[dict(inputs=Data, data_samples=sample), ...]`` ->
    ``dict(inputs=Batch, data_samples=[sample, ...])``.

    ``Batch.from_data_list`` concatenates node features and offsets each
    graph's ``edge_index`` by the nodes before it, and records ``batch``
    (node -> graph) and ``ptr`` (the first node of each graph), which the
    models use for pooling. Name it in a dataloader config as
    ``collate_fn=dict(type='pyg_collate')``.
    """
    graphs: List[Data] = []
    for k, sample in enumerate(data_batch):
        graph = sample.get('inputs') if isinstance(sample, dict) else None
        if not isinstance(graph, Data):
            raise TypeError(
                f'pyg_collate: sample {k} must be a dict whose "inputs" is a '
                f'torch_geometric Data, got {type(graph).__name__}')
        graphs.append(graph)
    return dict(
        inputs=Batch.from_data_list(graphs),
        data_samples=[sample.get('data_samples') for sample in data_batch])


FUNCTIONS.register_module(module=pyg_collate)
# mmengine's Runner looks a dataloader's collate_fn up in its root registry
# without the default scope, where "pyg_collate" would not be found (it
# would then fail with "the first argument must be callable"): register it
# there too, so configs name it as they name mmengine's own collates.
MMENGINE_FUNCTIONS.register_module(module=pyg_collate)
