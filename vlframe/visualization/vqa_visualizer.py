import textwrap
from typing import Optional, Sequence

import mmcv
import numpy as np
from mmengine.visualization import Visualizer

from vlframe.registry import VISUALIZERS
from vlframe.structures import VLDataSample


@VISUALIZERS.register_module()
class VQAVisualizer(Visualizer):
    """Draw an image with its question, the predicted and the true answer.

    The image is enlarged (nearest neighbour, so 75x75 Sort-of-CLEVR pixels
    stay sharp) and a white band below it carries the text: the prediction
    in green when right, red when wrong.

    Args:
        answer_vocab: class index -> answer string; taken from the
            dataset's ``classes`` when ``dataset_meta`` is set.
        min_size: the shorter side of the drawn image, in pixels.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 answer_vocab: Optional[Sequence[str]] = None,
                 min_size: int = 300,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.answer_vocab = answer_vocab
        self.min_size = min_size

    def _answer(self, index) -> str:
        index = int(index)
        vocab = self.answer_vocab or (self.dataset_meta or {}).get('classes')
        return vocab[index] if vocab is not None else str(index)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: VLDataSample,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       topk: int = 1) -> np.ndarray:
        """``image``: (H, W, 3) uint8 RGB. Returns the drawn RGB image.

        ``topk`` > 1 lists the ``topk`` best answers of ``pred_score`` with
        their scores instead of the single prediction.
        """
        height, width = image.shape[:2]
        scale = max(1, int(np.ceil(self.min_size / min(height, width))))
        image = mmcv.imrescale(image, scale, interpolation='nearest')
        font_size = 9
        line_height = 20
        # about 6.3 px per character at this font size
        question = textwrap.wrap(
            data_sample.metainfo.get('question_text', ''),
            width=max(20, image.shape[1] * 10 // 63)) or ['']
        lines = [(text, 'question') for text in question]
        correct = ('pred_answer' in data_sample
                   and 'gt_answer' in data_sample and int(
                       data_sample.pred_answer) == int(data_sample.gt_answer))
        if draw_pred and topk > 1 and 'pred_score' in data_sample:
            scores, labels = data_sample.pred_score.float().topk(
                min(topk, data_sample.pred_score.numel()))
            for rank, (score, label) in enumerate(zip(scores, labels), 1):
                right = 'gt_answer' in data_sample and int(label) == int(
                    data_sample.gt_answer)
                lines.append((f'{rank}. {self._answer(label)} '
                              f'({float(score):.2f})',
                              'green' if right else 'black'))
        elif draw_pred and 'pred_answer' in data_sample:
            pred = self._answer(data_sample.pred_answer)
            score = ''
            if 'pred_score' in data_sample:
                score = f' ({float(data_sample.pred_score.max()):.2f})'
            lines.append((f'prediction: {pred}{score}',
                          'green' if correct else 'red'))
        if draw_gt and 'gt_answer' in data_sample:
            lines.append(
                (f'ground truth: {self._answer(data_sample.gt_answer)}',
                 'black'))
        band_height = line_height * len(lines) + 10
        canvas = np.full((image.shape[0] + band_height, image.shape[1], 3),
                         255, dtype=np.uint8)
        canvas[:image.shape[0]] = image
        self.set_image(canvas)
        for i, (text, color) in enumerate(lines):
            self.draw_texts(
                text,
                np.array([4, image.shape[0] + 4 + line_height * i]),
                colors='black' if color == 'question' else color,
                font_sizes=font_size)
        drawn = self.get_image()
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn
