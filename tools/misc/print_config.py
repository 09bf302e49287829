"""Print the fully merged config (``_base_`` files resolved, command-line
overrides applied).

Usage::

    python tools/misc/print_config.py CONFIG \
        [--cfg-options key=value ...] [--save-path merged.py]

The merged config is written to stdout as ``cfg.pretty_text`` (valid Python,
so ``> merged.py`` works too); with ``--save-path`` it is also dumped to a
``.py`` / ``.json`` / ``.yaml`` / ``.yml`` file.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, DictAction

from vlframe.utils.config import ConfigKeyError, merge_cfg_options

SAVE_SUFFIXES = ('.py', '.json', '.yaml', '.yml')


def parse_args():
    parser = argparse.ArgumentParser(description='Print the whole config')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--save-path',
        default=None,
        help='also save the merged config to this file; the suffix '
        f'({", ".join(SAVE_SUFFIXES)}) selects the format')
    return parser.parse_args()


def main():
    args = parse_args()

    if args.save_path is not None:
        suffix = osp.splitext(args.save_path)[-1]
        if suffix not in SAVE_SUFFIXES:
            print(
                f'error: --save-path must end with one of {SAVE_SUFFIXES}, '
                f'got {args.save_path!r}',
                file=sys.stderr)
            sys.exit(1)
    if not osp.isfile(args.config):
        print(f'error: config file not found: {args.config}', file=sys.stderr)
        sys.exit(1)

    cfg = Config.fromfile(args.config)
    try:
        # the same rule as train.py/test.py: only existing keys
        merge_cfg_options(cfg, args.cfg_options, args.config)
    except ConfigKeyError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)

    print(cfg.pretty_text)

    if args.save_path is not None:
        save_dir = osp.dirname(osp.abspath(args.save_path))
        os.makedirs(save_dir, exist_ok=True)
        cfg.dump(args.save_path)
        # stderr, so that stdout stays a clean config
        print(f'Config saved to {args.save_path}', file=sys.stderr)


if __name__ == '__main__':
    main()
