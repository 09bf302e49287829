# Copyright (c) vlframe contributors. All rights reserved.
"""How much of each object's colour and shape a model's image encoder keeps.

    python tools/analysis_tools/probe_object_features.py CONFIG [CHECKPOINT]
        [--depths 2 3 4] [--train-images 2000] [--test-images 200]
        [--cfg-options k=v ...]

For a Sort-of-CLEVR model whose image encoder is a stack of blocks
(``ConvStem``): after the first ``d`` blocks, take the feature vector of the
cell that holds each object's centre, fit a linear classifier (softmax
regression) from it to the object's colour and to its shape on the train
images, and print its accuracy on the test images. Without a checkpoint the
model is as initialised.

Why: a question about "the red object" can only be answered if the cells
still tell red from the other colours. A Relation Network that never learns
the colour-conditioned questions can be checked here: its last feature map
may keep the shapes but drop the colours.
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import DictAction

from vlframe.datasets.generators.sort_of_clevr import IMG_SIZE
from vlframe.registry import DATASETS, MODELS
from vlframe.utils import load_model_weights, register_all_modules
from vlframe.utils.cli import load_config, run_tool
from vlframe.utils.config import merge_cfg_options


class ProbeError(Exception):
    """Bad input, reported without a traceback."""


def object_cell_features(model, arrays, num_images, depths,
                         batch_size=250):
    """Features of the cell under each object centre after each depth.

    One pass over the images through the encoder's blocks (normalised by the
    model's own data preprocessor), keeping the cells at every requested
    depth. Returns ``{depth: (num_images * K, C_d)}``, the (h, w) of each
    depth's map, and (num_images * K,) colour indices and shapes, K objects
    per image.
    """
    blocks = model.image_encoder.blocks
    centers = arrays['object_centers'][:num_images]  # (N, K, (x, y))
    cells = {depth: [] for depth in depths}
    map_sizes = {}
    for start in range(0, num_images, batch_size):
        stop = min(start + batch_size, num_images)
        img = torch.from_numpy(arrays['images'][start:stop]).permute(
            0, 3, 1, 2)  # (B, 3, H, W) uint8
        x = model.data_preprocessor(dict(inputs=dict(img=img)))['inputs'][
            'img']
        batch_centers = centers[start:stop]
        with torch.no_grad():
            for depth, block in enumerate(blocks, 1):
                x = block(x)  # (B, C_d, h, w)
                if depth not in cells:
                    continue
                height, width = x.shape[-2:]
                map_sizes[depth] = (height, width)
                col = np.clip(batch_centers[..., 0] * width // IMG_SIZE, 0,
                              width - 1)
                row = np.clip(batch_centers[..., 1] * height // IMG_SIZE, 0,
                              height - 1)
                cells[depth].append(
                    x[np.arange(stop - start)[:, None], :, row, col].float()
                    .flatten(0, 1))  # (B * K, C_d)
                if depth == max(depths):
                    break
    num_objects = centers.shape[1]
    colours = np.tile(np.arange(num_objects), num_images)
    shapes = arrays['object_shapes'][:num_images].reshape(-1)
    return ({d: torch.cat(c) for d, c in cells.items()}, map_sizes, colours,
            shapes)


def linear_probe_accuracy(x_train, y_train, x_test, y_test, steps=300):
    """Test accuracy of softmax regression fitted on standardised features."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-5
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    y_train = torch.as_tensor(y_train, dtype=torch.long)
    generator = torch.Generator().manual_seed(0)
    num_classes = int(max(y_train.max().item(), y_test.max())) + 1
    linear = torch.nn.Linear(x_train.shape[1], num_classes)
    with torch.no_grad():
        linear.weight.normal_(0, 0.01, generator=generator)
        linear.bias.zero_()
    optimizer = torch.optim.LBFGS(linear.parameters(), max_iter=steps,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(linear(x_train), y_train)
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        pred = linear(x_test).argmax(-1).numpy()
    return float((pred == y_test).mean())


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Linear probes of object colour and shape on the image '
        'encoder\'s cells (Sort-of-CLEVR)')
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?',
                        help='weights to load (default: as initialised)')
    parser.add_argument('--depths', type=int, nargs='+',
                        help='numbers of encoder blocks to apply '
                        '(default: every depth)')
    parser.add_argument('--train-images', type=int, default=2000)
    parser.add_argument('--test-images', type=int, default=200)
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the initialisation without checkpoint')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=True)
    cfg = load_config(args.config)
    merge_cfg_options(cfg, args.cfg_options, args.config)
    torch.manual_seed(args.seed)
    model = MODELS.build(cfg.model)
    if args.checkpoint:
        load_model_weights(model, args.checkpoint)
    model.eval()
    blocks = getattr(model.image_encoder, 'blocks', None)
    if not isinstance(blocks, torch.nn.Sequential):
        raise ProbeError(
            f'{type(model.image_encoder).__name__} has no "blocks" sequence; '
            'this probe needs a stack of blocks such as ConvStem')
    depths = args.depths or list(range(1, len(blocks) + 1))
    bad = [d for d in depths if not 1 <= d <= len(blocks)]
    if bad:
        raise ProbeError(f'--depths {bad}: the encoder has {len(blocks)} '
                         f'blocks, so depths run from 1 to {len(blocks)}')

    splits = {}
    for split, key, wanted in (('train', 'train_dataloader',
                                args.train_images),
                               ('test', 'test_dataloader', args.test_images)):
        dataset = DATASETS.build(cfg[key].dataset)
        arrays = getattr(dataset, 'arrays', None)
        if arrays is None or 'object_centers' not in arrays:
            raise ProbeError(f'{type(dataset).__name__} does not expose the '
                             'object arrays of a generated Sort-of-CLEVR set')
        splits[split] = (arrays, min(wanted, len(arrays['images'])))

    x_tr, _, colour_tr, shape_tr = object_cell_features(
        model, *splits['train'], depths)
    x_te, map_sizes, colour_te, shape_te = object_cell_features(
        model, *splits['test'], depths)
    num_colours = int(colour_te.max()) + 1
    print(f'objects: {colour_tr.size} train, {colour_te.size} test; chance '
          f'(majority class): colour {100 / num_colours:.1f}%, shape '
          f'{100 * np.bincount(shape_te).max() / shape_te.size:.1f}%')
    print(f'{"blocks":>6} {"cells":>7} {"colour %":>9} {"shape %":>8}')
    for depth in depths:
        colour = linear_probe_accuracy(x_tr[depth], colour_tr, x_te[depth],
                                       colour_te)
        shape = linear_probe_accuracy(x_tr[depth], shape_tr, x_te[depth],
                                      shape_te)
        height, width = map_sizes[depth]
        print(f'{depth:>6} {height:>3}x{width:<3} '
              f'{100 * colour:>9.1f} {100 * shape:>8.1f}')


if __name__ == '__main__':
    run_tool(main, tool_errors=(ProbeError, ))
