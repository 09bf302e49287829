from .checkpoint_ensemble_test_loop import (CheckpointEnsembleTestLoop,
                                            MissingEnsembleCheckpointError)

__all__ = ['CheckpointEnsembleTestLoop', 'MissingEnsembleCheckpointError']
