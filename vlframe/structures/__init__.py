from .vl_data_sample import VLDataSample, stack_answer_targets

__all__ = ['VLDataSample', 'stack_answer_targets']
