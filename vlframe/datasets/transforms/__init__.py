from .formatting import PackVLInputs

__all__ = ['PackVLInputs']
