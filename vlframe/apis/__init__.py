from .inference import inference_vqa, init_model

__all__ = ['init_model', 'inference_vqa']
