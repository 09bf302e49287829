from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch_geometric.data import Batch

from vlframe.registry import MODELS
from vlframe.structures import GraphDataSample
from ..data_preprocessors import build_data_preprocessor


@MODELS.register_module()
class NodeClassifier(BaseModel):
    """Node classification: a GNN that maps node features to class logits,
    optionally followed by a propagation over the graph.

    GCN is ``GNNStack([GCNConv, GCNConv])``; APPNP ("predict then
    propagate", Klicpera et al. 2019) is ``GNNStack([pyg.Linear,
    pyg.Linear])`` followed by ``propagation=dict(type='pyg.APPNP', K=10,
    alpha=0.1)``, which works after any predictor.

    Inputs (after ``GraphDataPreprocessor``): a torch_geometric ``Batch``
    with ``x`` (N, C_in) and ``edge_index`` (2, E); one data sample per
    graph with ``gt_label`` (N_g,) and ``split_mask`` (N_g,). The loss is
    the cross-entropy over the nodes of ``split_mask`` (the training nodes
    of the public split).

    Args:
        backbone: config of the GNN that gives (N, num_classes) logits.
        propagation: config of a module called as ``(logits, edge_index)``.
        data_preprocessor: config; ``GraphDataPreprocessor`` by default.
    """

    def __init__(self,
                 backbone: dict,
                 propagation: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=build_data_preprocessor(
                data_preprocessor, 'GraphDataPreprocessor'), init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.propagation = MODELS.build(propagation) if propagation else None

    def forward(self,
                inputs: Batch,
                data_samples: Optional[List[GraphDataSample]] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs)
        raise RuntimeError(f'Invalid mode "{mode}": use loss, predict or '
                           'tensor')

    def _forward(self, inputs: Batch) -> torch.Tensor:
        logits = self.backbone(inputs.x, inputs.edge_index)  # (N, C)
        if self.propagation is not None:
            logits = self.propagation(logits, inputs.edge_index)  # (N, C)
        return logits

    @staticmethod
    def _gather(data_samples: List[GraphDataSample], field: str):
        # one sample per graph; the Batch concatenates graphs in this order
        return torch.cat([sample.get(field) for sample in data_samples])

    def loss(self, inputs: Batch,
             data_samples: List[GraphDataSample]) -> Dict[str, torch.Tensor]:
        logits = self._forward(inputs)  # (N, C)
        labels = self._gather(data_samples, 'gt_label')  # (N,)
        mask = self._gather(data_samples, 'split_mask')  # (N,)
        if labels.shape[0] != logits.shape[0]:
            raise ValueError(
                f'{labels.shape[0]} node labels for {logits.shape[0]} nodes:'
                ' gt_label must label every node of the graph')
        return dict(loss=F.cross_entropy(logits[mask].float(), labels[mask]))

    def predict(
        self,
        inputs: Batch,
        data_samples: Optional[List[GraphDataSample]] = None
    ) -> List[GraphDataSample]:
        log_probs = F.log_softmax(self._forward(inputs).float(), dim=-1)
        num_graphs = inputs.num_graphs
        if data_samples is None:
            data_samples = [GraphDataSample() for _ in range(num_graphs)]
        bounds = inputs.ptr.tolist()  # first node of each graph, and N
        for k, sample in enumerate(data_samples):
            scores = log_probs[bounds[k]:bounds[k + 1]]  # (N_g, C)
            sample.set_pred_score(scores)
            sample.set_pred_label(scores.argmax(dim=-1))
        return data_samples
