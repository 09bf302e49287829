"""Test a checkpoint: the mmdetection 3.x command-line contract.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl]
        [--show-dir DIR] [--show] [--format-only] [--cfg-options k=v ...]
        [--launcher ...]
"""
import argparse
import inspect
import os.path as osp

from vlframe.utils.allocator import tune_malloc

tune_malloc()

from mmengine.evaluator import DumpResults  # noqa: E402

from vlframe.evaluation.metrics.vqa_accuracy import (  # noqa: E402
    MissingAnswersError)
from vlframe.registry import METRICS  # noqa: E402
from vlframe.utils import load_model_weights  # noqa: E402
from vlframe.utils import register_all_modules  # noqa: E402
from vlframe.utils.cli import (add_common_args, build_runner,  # noqa: E402
                               prepare_config, run_tool)


def parse_args():
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a vlframe model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument(
        '--format-only',
        action='store_true',
        help='only write the predictions in the benchmark\'s official '
        'format (e.g. the VQA results JSON for the test-dev server) without '
        'scoring them; for test splits that have no annotations')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved. If specified, '
        'it will be automatically saved to the work_dir/timestamp/show_dir')
    parser.add_argument(
        '--show-interval',
        type=int,
        default=None,
        help='draw one test sample in this many (default: the config\'s)')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    add_common_args(parser)
    return parser.parse_args()


def trigger_visualization_hook(cfg, args):
    default_hooks = cfg.default_hooks
    if 'visualization' not in default_hooks:
        raise RuntimeError(
            'VisualizationHook must be included in default_hooks. '
            'refer to usage "visualization=dict(type=\'VQAVisualizationHook\')"')
    hook = default_hooks['visualization']
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        hook['test_out_dir'] = args.show_dir
    if args.show_interval is not None:
        hook['interval'] = args.show_interval


class FormatOnlyError(Exception):
    """--format-only with no test metric that can only format."""


def enable_format_only(cfg):
    """Set ``format_only=True`` on every test metric that takes it (e.g.
    VQAAccuracy), with ``outfile`` <work_dir>/vqa_results.json unless the
    config sets one; the test metrics that can only score (they would need
    the annotations a test split lacks) are left out."""
    evaluator = cfg.test_evaluator
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        evaluator = evaluator['metrics']
    metrics = evaluator if isinstance(evaluator, (list, tuple)) else [
        evaluator
    ]
    enabled = []
    for metric in metrics:
        metric_type = metric.get('type')
        cls = METRICS.get(metric_type) if isinstance(metric_type,
                                                     str) else metric_type
        if 'format_only' in inspect.signature(cls).parameters:
            metric['format_only'] = True
            if not metric.get('outfile'):
                metric['outfile'] = osp.join(cfg.work_dir, 'vqa_results.json')
            enabled.append(metric)
    if not enabled:
        names = [m.get('type') for m in metrics]
        raise FormatOnlyError(
            f'--format-only: no test_evaluator metric of {names} can write '
            'results without scoring them (a metric with a format_only '
            'argument, e.g. VQAAccuracy)')
    if len(enabled) < len(metrics):
        print('--format-only: not running the scoring metrics '
              f'{[m.get("type") for m in metrics if m not in enabled]}')
        if isinstance(cfg.test_evaluator, dict) and (
                'metrics' in cfg.test_evaluator):
            cfg.test_evaluator['metrics'] = enabled
        else:
            cfg.test_evaluator = enabled


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)

    cfg = prepare_config(args)

    # the weights are loaded below, strictly, instead of by the Runner
    cfg.load_from = None
    cfg.resume = False

    if args.show or args.show_dir:
        trigger_visualization_hook(cfg, args)

    if args.format_only:
        enable_format_only(cfg)

    runner = build_runner(cfg)

    model = runner.model.module if hasattr(runner.model,
                                           'module') else runner.model
    load_model_weights(model, args.checkpoint)

    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must be a .pkl or .pickle file')
        runner.test_evaluator.metrics.append(
            DumpResults(out_file_path=args.out))

    runner.test()


if __name__ == '__main__':
    run_tool(main, tool_errors=(FormatOnlyError, MissingAnswersError))
