"""The data sample of graph tasks: node labels or a rating in, predictions
out."""
import torch
from mmengine.structures import BaseDataElement


class GraphDataSample(BaseDataElement):
    """A graph-task sample, as in DESIGN.md "How data flows".

    Node classification (one sample is a whole graph):
        ``gt_label``: (N,) long class of every node.
        ``split_mask``: (N,) bool, the nodes of this dataloader's split
            (the public split's train / val / test mask): the nodes the
            loss sees in training, the nodes the metric scores otherwise.
        ``pred_label``: (N,) long predicted class of every node.
        ``pred_score``: (N, C) float log-probabilities (the metric reads
            them for the validation cross-entropy).

    Rating regression (one sample is the enclosing subgraph of a
    (user, item) pair):
        ``gt_rating`` / ``pred_rating``: 0-dim float tensors.

    Meta information: ``split``, and ``user`` / ``item`` ids for ratings.
    Metrics read only these fields, never model internals.
    """

    def set_gt_label(self, value) -> 'GraphDataSample':
        self.set_field(torch.as_tensor(value, dtype=torch.long), 'gt_label',
                       dtype=torch.Tensor)
        return self

    def set_split_mask(self, value) -> 'GraphDataSample':
        self.set_field(torch.as_tensor(value, dtype=torch.bool),
                       'split_mask', dtype=torch.Tensor)
        return self

    def set_pred_label(self, value) -> 'GraphDataSample':
        self.set_field(torch.as_tensor(value, dtype=torch.long),
                       'pred_label', dtype=torch.Tensor)
        return self

    def set_pred_score(self, value: torch.Tensor) -> 'GraphDataSample':
        self.set_field(value, 'pred_score', dtype=torch.Tensor)
        return self

    def set_gt_rating(self, value) -> 'GraphDataSample':
        self.set_field(torch.as_tensor(value, dtype=torch.float32),
                       'gt_rating', dtype=torch.Tensor)
        return self

    def set_pred_rating(self, value) -> 'GraphDataSample':
        self.set_field(torch.as_tensor(value, dtype=torch.float32),
                       'pred_rating', dtype=torch.Tensor)
        return self
