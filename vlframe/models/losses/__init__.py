from .adjacent_rating_regularizer import AdjacentRatingRegularizer
from .cross_entropy_loss import BinaryCrossEntropyLoss, CrossEntropyLoss
from .mse_loss import MSELoss

__all__ = [
    'CrossEntropyLoss', 'BinaryCrossEntropyLoss', 'MSELoss',
    'AdjacentRatingRegularizer'
]
