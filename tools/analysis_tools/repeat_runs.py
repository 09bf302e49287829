"""Train a config once per seed, test each run's best checkpoint, and
report the test metrics' mean and standard deviation.

    python tools/analysis_tools/repeat_runs.py CONFIG [--seeds 0 1 ... 9]
        [--work-dir DIR] [--cfg-options k=v ...] [--out results.json]

Each run is what ``tools/train.py CONFIG --cfg-options randomness.seed=S``
followed by ``tools/test.py CONFIG <best checkpoint>`` does, in one process:
it writes to ``<work-dir>/seed_<S>/``, selects the checkpoint the config's
``default_hooks.checkpoint.save_best`` keeps (GCN / APPNP: the lowest
validation cross-entropy), loads it strictly with the safe loader and runs
the test set. Papers on small graphs (GCN, APPNP) report this: the mean
and standard deviation over random initialisations. The std printed is the
sample standard deviation (n - 1).
"""
import argparse
import json
import os.path as osp
import statistics
import time

from mmengine.config import DictAction

from vlframe.utils import register_all_modules
from vlframe.utils.checkpoint import load_model_weights
from vlframe.utils.cli import build_runner, load_config, run_tool
from vlframe.utils.config import merge_cfg_options


class RepeatRunsError(Exception):
    """A config that cannot be repeated this way (no best checkpoint)."""


def parse_args():
    parser = argparse.ArgumentParser(
        description='Train a config with several seeds, test the best '
        'checkpoint of each run, print mean +- std of the test metrics')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--seeds', type=int, nargs='+',
                        default=list(range(10)),
                        help='random seeds, one run each (default 0..9)')
    parser.add_argument('--work-dir',
                        help='runs go to <work-dir>/seed_<S>/ (default '
                        './work_dirs/<config name>_seeds)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    parser.add_argument('--out', help='write the per-seed metrics and the '
                        'summary to this JSON file')
    return parser.parse_args()


def run_seed(args, seed: int, work_dir: str) -> dict:
    cfg = load_config(args.config)
    merge_cfg_options(cfg, args.cfg_options, args.config)
    if not cfg.default_hooks.get('checkpoint', {}).get('save_best'):
        raise RepeatRunsError(
            f'{args.config}: default_hooks.checkpoint.save_best is not set, '
            'so there is no best checkpoint to test')
    cfg.randomness = dict(cfg.get('randomness', {}), seed=seed)
    cfg.work_dir = osp.join(work_dir, f'seed_{seed}')
    cfg.launcher = 'none'
    cfg.load_from, cfg.resume = None, False
    # mmengine keys its logger, visualizer and message hub by the
    # experiment name (config name + time to the second): give each run
    # its own, or two runs in one second would share one log file
    name = osp.splitext(osp.basename(args.config))[0]
    cfg.experiment_name = (f'{name}_seed{seed}_'
                           f'{time.strftime("%Y%m%d_%H%M%S")}')
    runner = build_runner(cfg)
    start = time.perf_counter()
    runner.train()
    train_seconds = time.perf_counter() - start
    best = runner.message_hub.get_info('best_ckpt')
    if best is None:
        raise RepeatRunsError(f'seed {seed}: the run saved no best '
                              'checkpoint (no validation ran?)')
    load_model_weights(runner.model, best)
    metrics = runner.test()
    return dict(seed=seed, epochs=runner.epoch, train_seconds=train_seconds,
                best_checkpoint=best, metrics=dict(metrics))


def summarize(runs: list) -> dict:
    summary = {}
    for key in runs[0]['metrics']:
        values = [run['metrics'][key] for run in runs]
        std = statistics.stdev(values) if len(values) > 1 else 0.0
        summary[key] = dict(mean=statistics.mean(values), std=std)
    return summary


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)
    name = osp.splitext(osp.basename(args.config))[0]
    work_dir = args.work_dir or osp.join('./work_dirs', f'{name}_seeds')
    runs = []
    for seed in args.seeds:
        runs.append(run_seed(args, seed, work_dir))
        line = '  '.join(f'{k}: {v:.4f}'
                         for k, v in runs[-1]['metrics'].items())
        print(f'seed {seed}: {runs[-1]["epochs"]} epochs in '
              f'{runs[-1]["train_seconds"]:.1f} s  {line}', flush=True)
    summary = summarize(runs)
    print(f'\n{name}: {len(runs)} seeds ({", ".join(map(str, args.seeds))})')
    for key, stats in summary.items():
        print(f'{key}: {stats["mean"]:.2f} +- {stats["std"]:.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(config=args.config, runs=runs, summary=summary),
                      f, indent=2)


if __name__ == '__main__':
    run_tool(main, tool_errors=(RepeatRunsError, ))
