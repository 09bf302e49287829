from .graph_data_sample import GraphDataSample
from .vl_data_sample import VLDataSample, stack_answer_targets

__all__ = ['VLDataSample', 'GraphDataSample', 'stack_answer_targets']
