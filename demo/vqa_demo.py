"""Answer a question about an image with a trained VQA model.

    python demo/vqa_demo.py IMAGE "QUESTION" CONFIG CHECKPOINT \
        [--topk 5] [--out-file vis.png] [--device cpu]

Prints the top-k answers with their scores and, with --out-file, draws
them under the image.
"""
import argparse
import sys

import mmcv
import torch

from vlframe.apis import inference_vqa, init_model
from vlframe.structures import VLDataSample
from vlframe.visualization import VQAVisualizer


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('image', help='image file')
    parser.add_argument('question', help='the question, in English')
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--topk', type=int, default=5,
                        help='how many answers to print (default 5)')
    parser.add_argument('--out-file', help='draw the answers into this image')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.topk < 1:
        sys.exit('error: --topk must be at least 1')
    try:
        model = init_model(args.config, args.checkpoint, device=args.device)
        answers = inference_vqa(model, args.image, args.question,
                                topk=args.topk)
    except (FileNotFoundError, ValueError, KeyError) as err:
        sys.exit(f'error: {err}')
    print(f'Q: {args.question}')
    for rank, (answer, score) in enumerate(answers, 1):
        print(f'{rank}. {answer}  {score:.4f}')
    if args.out_file:
        image = mmcv.imread(args.image, channel_order='rgb')
        names = [a for a, _ in answers]
        # the visualizer draws from a data sample; rebuild its scores over
        # the top-k answers only, which is all it lists
        sample = VLDataSample(metainfo=dict(question_text=args.question))
        sample.set_pred_score(torch.tensor([s for _, s in answers]))
        visualizer = VQAVisualizer(answer_vocab=names)
        visualizer.add_datasample(
            'vqa_demo', image, sample, draw_gt=False, out_file=args.out_file,
            topk=args.topk)
        print(f'drawn to {args.out_file}')


if __name__ == '__main__':
    main()
