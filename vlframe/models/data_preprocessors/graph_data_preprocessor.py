from mmengine.model import BaseDataPreprocessor

from vlframe.registry import MODELS


@MODELS.register_module()
class GraphDataPreprocessor(BaseDataPreprocessor):
    """Move a collated torch_geometric ``Batch`` and its data samples to
    the model's device.

    mmengine's ``cast_data`` moves tensors and data elements but passes a
    ``Batch`` through untouched (it is neither), so the batch is moved with
    its own ``.to``, which moves every tensor attribute.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data['inputs'].to(
            self.device, non_blocking=self._non_blocking)
        data_samples = self.cast_data(data.get('data_samples'))
        return dict(inputs=inputs, data_samples=data_samples)
