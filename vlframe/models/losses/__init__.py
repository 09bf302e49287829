from .cross_entropy_loss import BinaryCrossEntropyLoss, CrossEntropyLoss

__all__ = ['CrossEntropyLoss', 'BinaryCrossEntropyLoss']
