from .vqa_visualizer import VQAVisualizer

__all__ = ['VQAVisualizer']
