import os.path as osp
from typing import Optional, Sequence

from mmengine.hooks import Hook

from vlframe.registry import HOOKS
from vlframe.structures import VLDataSample


class NothingToDrawError(ValueError):
    """The visualization hook was asked to draw data without images."""


@HOOKS.register_module()
class VQAVisualizationHook(Hook):
    """Draw test (or validation) predictions, like mmdetection's
    ``DetVisualizationHook``: ``tools/test.py --show-dir DIR`` turns it on.

    Every ``interval``-th sample is drawn by the runner's visualizer (a
    :class:`VQAVisualizer`) with its question, prediction and ground truth,
    and written to ``<work_dir>/<timestamp>/<test_out_dir>/`` as
    ``<question_id>.png``.

    Args:
        draw: off by default; ``--show-dir`` sets it.
        interval: draw one sample in this many.
        test_out_dir: directory (relative to the run's log dir) for images.
        show: display instead of writing (needs a screen).
    """

    def __init__(self,
                 draw: bool = False,
                 interval: int = 10,
                 test_out_dir: Optional[str] = None,
                 show: bool = False,
                 wait_time: float = 0.):
        self.draw = draw
        self.interval = interval
        self.test_out_dir = test_out_dir
        self.show = show
        self.wait_time = wait_time
        self._seen = 0

    def _draw_batch(self, runner, data_batch: dict,
                    outputs: Sequence[VLDataSample], out_dir: str) -> None:
        visualizer = runner.visualizer
        inputs = data_batch['inputs']
        if not isinstance(inputs, dict) or 'img' not in inputs:
            raise NothingToDrawError(
                '--show-dir / --show draw each test image with its question, '
                'prediction and ground truth; the test data of this config '
                f'has no images (inputs: {type(inputs).__name__})')
        images = inputs['img']
        for image, sample in zip(images, outputs):
            if self._seen % self.interval == 0:
                question_id = sample.metainfo.get('question_id', self._seen)
                visualizer.add_datasample(
                    f'question_{question_id}',
                    image.permute(1, 2, 0).numpy(),  # (H, W, 3) RGB
                    sample,
                    show=self.show,
                    wait_time=self.wait_time,
                    out_file=osp.join(out_dir, f'{question_id}.png'))
            self._seen += 1

    def before_test(self, runner) -> None:
        self._seen = 0

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence[VLDataSample]) -> None:
        if not self.draw:
            return
        out_dir = osp.join(runner.log_dir, self.test_out_dir or 'vis')
        self._draw_batch(runner, data_batch, outputs, out_dir)
