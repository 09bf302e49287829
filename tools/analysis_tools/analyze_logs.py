# Copyright (c) vlframe contributors. All rights reserved.
"""Plot training/validation curves and compute training speed from the
``vis_data/scalars.json`` files written by mmengine's ``LocalVisBackend``.

Usage::

    # curves (training keys vs. iteration, validation keys vs. epoch)
    python tools/analysis_tools/analyze_logs.py plot_curve \
        work_dirs/exp/20240101_120000/vis_data/scalars.json [more.json ...] \
        --keys loss accuracy/relational [--legend run1_loss run1_acc ...] \
        [--title T] [--out curve.png] [--style seaborn-v0_8-whitegrid]

    # the stages of a schedule (each run started from the previous one's
    # checkpoint with load_from) as one run: join their paths with '+'
    python tools/analysis_tools/analyze_logs.py plot_curve \
        work_dirs/stage1+work_dirs/stage2 work_dirs/other_run \
        --keys accuracy/overall

    # training speed
    python tools/analysis_tools/analyze_logs.py cal_train_time \
        work_dirs/exp/20240101_120000/vis_data/scalars.json [--include-outliers]

Format of ``scalars.json`` (one JSON object per line, appended by
``LocalVisBackend.add_scalars`` from ``LoggerHook``):

* training lines (``LoggerHook.after_train_iter``) carry ``lr`` (and e.g.
  ``base_lr``), the losses, ``time``, ``data_time``, ``iter`` (global
  iteration), ``epoch`` (epoch-based runs only), ``memory`` (CUDA only) and
  ``step`` (== ``iter``);
* validation lines (``LoggerHook.after_val_epoch``) carry the metrics (e.g.
  ``accuracy/overall``), ``time``, ``data_time`` and ``step``, which is the
  epoch for epoch-based runs (``log_metric_by_epoch=True``) and the
  iteration otherwise.

A requested key is a *training key* if it occurs in training lines (so
``time`` means the training iteration time), otherwise a *validation key*.
Training keys are drawn against the iteration, validation keys against the
epoch; when both kinds are requested they go to separate subplots.

A path may also be a run's work_dir (``work_dirs/exp``). mmengine starts a
new ``<timestamp>/vis_data/scalars.json`` every time a run is resumed, so the
files under it are read in timestamp order as one run: each later file
replaces the earlier records from where it starts (its first training
iteration, and for validation its first epoch, or that iteration in
iteration-based runs), because a resumed run repeats the work done after its
checkpoint.

Paths joined by ``+`` (``work_dirs/stage1+work_dirs/stage2``) are runs
drawn one after another as one run, each continuing from where the previous
one ended (its iterations and epochs shifted by the previous runs' last
ones), with a dashed line where each later run starts: the stages of a
multi-stage schedule.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
import sys
from collections import OrderedDict

DEFAULT_STYLE = 'seaborn-v0_8-whitegrid'
# keys that index a line rather than measure something
INDEX_KEYS = ('step', 'iter', 'epoch')


class LogError(Exception):
    """A problem with the input that is reported without a traceback."""


# ----------------------------------------------------------------------------
# loading
# ----------------------------------------------------------------------------
def is_train_line(log):
    """Training lines are written after a training iteration: they have the
    global ``iter`` and the learning rate(s)."""
    return 'iter' in log or any(k.endswith('lr') for k in log)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_records(path):
    """The records of one ``scalars.json``, split into (train, val)."""
    if not osp.exists(path):
        raise LogError(f'{path}: file does not exist')
    if not osp.isfile(path):
        raise LogError(f'{path}: not a file')
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.readlines()
    except (OSError, UnicodeDecodeError) as e:
        raise LogError(f'{path}: cannot read file ({e})') from None
    train, val = [], []
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            log = json.loads(line)
        except json.JSONDecodeError as e:
            raise LogError(f'{path}, line {lineno}: malformed JSON '
                           f'({e.msg}): {_shorten(line)}') from None
        if not isinstance(log, dict):
            raise LogError(f'{path}, line {lineno}: expected a JSON '
                           f'object, got {type(log).__name__}: '
                           f'{_shorten(line)}')
        if 'step' not in log and 'iter' not in log:
            raise LogError(f'{path}, line {lineno}: no "step" field; '
                           'is this an mmengine vis_data/scalars.json? '
                           '(the old mmcv-style *.log.json is not '
                           'supported)')
        (train if is_train_line(log) else val).append(log)
    if not train and not val:
        raise LogError(f'{path}: file contains no records')
    return train, val


def scalars_files(path):
    """The ``scalars.json`` files a path stands for: the file itself, the
    one of a ``<timestamp>`` folder, or those of every ``<timestamp>`` folder
    of a work_dir, oldest first."""
    if not osp.isdir(path):
        return [path]  # read_records reports a missing file
    own = osp.join(path, 'vis_data', 'scalars.json')
    if osp.isfile(own):
        return [own]
    # timestamp folder names (%Y%m%d_%H%M%S) sort in time order
    files = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise LogError(f'{path}: a directory without <timestamp>/vis_data/'
                       'scalars.json; give a scalars.json file or the '
                       'work_dir of a run')
    return files


def step_of(log):
    return log.get('step', log.get('iter'))


class ScalarLog:
    """The training and validation records of one run: one ``scalars.json``
    or, for a work_dir, the joined files of a run resumed several times."""

    def __init__(self, path):
        self.path = path
        self.files = scalars_files(path)
        self.train = []
        self.val = []
        for file in self.files:
            self._append(*read_records(file))

    def _append(self, train, val):
        """Add the records of a later part of the run. It repeats what came
        after its checkpoint, so its records replace the earlier ones from
        its first step on."""
        if train:
            first_iter = step_of(train[0])
            self.train = [r for r in self.train if step_of(r) < first_iter]
            # validation steps are epochs in epoch-based runs
            val_start = train[0].get('epoch', first_iter)
        else:
            val_start = min(step_of(r) for r in val)
        self.val = [r for r in self.val if step_of(r) < val_start]
        self.train += train
        self.val += val

    @staticmethod
    def _keys(records):
        keys = OrderedDict()
        for log in records:
            for k in log:
                if k not in INDEX_KEYS:
                    keys[k] = None
        return list(keys)

    @property
    def train_keys(self):
        return self._keys(self.train)

    @property
    def val_keys(self):
        return self._keys(self.val)

    @property
    def by_epoch(self):
        """Whether validation ``step`` is an epoch: true for epoch-based
        runs (training lines carry ``epoch``) and, as a guess, for files
        without training lines."""
        return not self.train or any('epoch' in log for log in self.train)

    def kind_of(self, key):
        if key in self.train_keys:
            return 'train'
        if key in self.val_keys:
            return 'val'
        return None

    def describe_keys(self):
        train = ', '.join(self.train_keys) or '(none)'
        val = ', '.join(self.val_keys) or '(none)'
        return (f'  training keys:   {train}\n'
                f'  validation keys: {val}')

    def series(self, key, kind):
        """Return (xs, ys) of ``key`` among the records of ``kind``."""
        records = self.train if kind == 'train' else self.val
        xs, ys = [], []
        for log in records:
            if key not in log or not is_number(log[key]):
                continue
            x = step_of(log)
            if not is_number(x):
                continue
            xs.append(x)
            ys.append(log[key])
        if not xs:
            raise LogError(f'{self.path}: key "{key}" has no numeric values')
        return xs, ys


class ChainedLog(ScalarLog):
    """Runs drawn one after another as one run (``a+b`` on the command
    line): the stages of a schedule, each started from the previous one's
    checkpoint. A later run's iterations continue from the previous runs'
    last iteration, its epochs (or, iteration-based, its validation
    iterations) likewise."""

    def __init__(self, path):
        self.path = path
        parts = [ScalarLog(p) for p in path.split('+')]
        if len({part.by_epoch for part in parts}) > 1:
            raise LogError(f'{path}: epoch-based and iteration-based runs '
                           'cannot be joined with "+"')
        self.files = [f for part in parts for f in part.files]
        self.train, self.val = [], []
        # (iteration, validation step) where each later run starts
        self.starts = []
        iters = val_steps = 0
        for part in parts:
            if part is not parts[0]:
                self.starts.append((iters, val_steps))
            epochs = val_steps if part.by_epoch else 0
            self.train += [
                dict(r, step=step_of(r) + iters, iter=step_of(r) + iters,
                     **({'epoch': r['epoch'] + epochs} if 'epoch' in r
                        else {})) for r in part.train]
            self.val += [dict(r, step=step_of(r) + val_steps)
                         for r in part.val]
            part_iters = max((step_of(r) for r in part.train), default=0)
            iters += part_iters
            val_steps += max(
                [step_of(r) for r in part.val] +
                [r['epoch'] for r in part.train if 'epoch' in r]
                if part.by_epoch else [part_iters], default=0)


def _shorten(text, width=80):
    return text if len(text) <= width else text[:width - 3] + '...'


def run_label(path):
    """A short name for a run: ``<exp>/<timestamp>`` for the usual
    ``work_dirs/<exp>/<timestamp>/vis_data/scalars.json`` layout, ``<exp>``
    for a work_dir; the runs' names joined by ``+`` for a chain."""
    if '+' in path and not osp.exists(path):
        return '+'.join(run_label(p) for p in path.split('+'))
    if osp.isdir(path):
        return osp.basename(osp.normpath(path))
    parts = osp.normpath(osp.abspath(path)).split(os.sep)
    if parts[-1] == 'scalars.json':
        parts = parts[:-1]
        if parts and parts[-1] == 'vis_data':
            parts = parts[:-1]
        return '/'.join(p for p in parts[-2:] if p)
    return osp.basename(path)


def load_logs(paths):
    return [
        ChainedLog(p) if '+' in p and not osp.exists(p) else ScalarLog(p)
        for p in paths
    ]


# ----------------------------------------------------------------------------
# plot_curve
# ----------------------------------------------------------------------------
def resolve_keys(logs, keys):
    """Map every requested key to 'train' or 'val'; the kind is taken from
    the first file that has the key and must agree across files."""
    kinds = OrderedDict()
    for key in keys:
        for log in logs:
            kind = log.kind_of(key)
            if kind is None:
                raise LogError(f'{log.path}: key "{key}" not found. '
                               'Available keys:\n' + log.describe_keys())
            if key not in kinds:
                kinds[key] = kind
            elif kinds[key] != kind:
                raise LogError(f'key "{key}" is a {kinds[key]} key in '
                               f'{logs[0].path} but a {kind} key in '
                               f'{log.path}')
    return kinds


def plot_curve(logs, args):
    import matplotlib
    if args.backend is not None:
        matplotlib.use(args.backend)
    elif args.out is not None:
        matplotlib.use('Agg')  # writing a file: no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if args.style not in plt.style.available + ['default']:
        raise LogError(f'unknown --style "{args.style}"; choose one of: '
                       + ', '.join(['default'] + plt.style.available))
    plt.style.use(args.style)

    keys = list(OrderedDict.fromkeys(args.keys))  # drop duplicates
    kinds = resolve_keys(logs, keys)

    num_labels = len(logs) * len(keys)
    if args.legend is not None:
        if len(args.legend) != num_labels:
            raise LogError(
                f'--legend needs {num_labels} entries (one per file and key, '
                f'file-major: {len(logs)} file(s) x {len(keys)} key(s)), '
                f'got {len(args.legend)}')
        legend = args.legend
    elif len(logs) == 1:
        legend = list(keys)
    else:
        legend = [f'{run_label(log.path)}: {key}' for log in logs
                  for key in keys]

    panels = [kind for kind in ('train', 'val') if kind in kinds.values()]
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(10, 4.2 * len(panels)), squeeze=False)
    val_by_epoch = all(log.by_epoch for log in logs)
    if 'val' in panels and len({log.by_epoch for log in logs}) > 1:
        print('warning: mixing epoch-based and iteration-based runs; the '
              'validation x axis mixes epochs and iterations',
              file=sys.stderr)
    for ax, panel in zip(axes[:, 0], panels):
        panel_keys = [k for k in keys if kinds[k] == panel]
        for i, log in enumerate(logs):
            for key in panel_keys:
                label = legend[i * len(keys) + keys.index(key)]
                xs, ys = log.series(key, panel)
                if isinstance(log, ChainedLog):
                    joined = (f', {len(log.starts) + 1} runs one after '
                              'another')
                else:
                    joined = (f', {len(log.files)} resumed parts joined'
                              if len(log.files) > 1 else '')
                print(f'plot curve of {log.path}, key: {key} '
                      f'({len(xs)} points{joined})')
                if panel == 'train':
                    ax.plot(xs, ys, label=label, linewidth=1.2)
                else:
                    ax.plot(xs, ys, label=label, linewidth=1.5, marker='o',
                            markersize=4)
        starts = sorted({start for log in logs
                         for start in getattr(log, 'starts', [])})
        for j, (start_iter, start_val) in enumerate(starts):
            # where a later run of a '+' chain starts: between the last
            # epoch of one run and the first of the next
            x = start_iter if panel == 'train' else (
                start_val + 0.5 if val_by_epoch else start_val)
            ax.axvline(x, color='gray', linestyle='--', linewidth=1,
                       label='next run of a "+" chain' if j == 0 else None)
        if panel == 'train':
            ax.set_xlabel('iteration')
            ax.set_title('training')
        else:
            ax.set_xlabel('epoch' if val_by_epoch else 'iteration')
            ax.set_title('validation')
        if panel == 'val' and val_by_epoch:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(panel_keys[0] if len(panel_keys) == 1 else 'value')
        ax.legend(loc='best')

    title = args.title
    if title is None:
        title = ', '.join(run_label(log.path) for log in logs)
    fig.suptitle(title, fontsize=13)
    fig.tight_layout()

    if args.out is None:
        backend = matplotlib.get_backend().lower()
        if backend in ('agg', 'pdf', 'ps', 'svg', 'pgf', 'cairo', 'template'):
            print(f'warning: matplotlib backend "{backend}" cannot show a '
                  'window (no display?); use --out FILE.png to save the '
                  'figure', file=sys.stderr)
        plt.show()
    else:
        out_dir = osp.dirname(osp.abspath(args.out))
        os.makedirs(out_dir, exist_ok=True)
        fig.savefig(args.out, dpi=args.dpi)
        print(f'save curve to: {args.out}')
    plt.close(fig)


# ----------------------------------------------------------------------------
# cal_train_time
# ----------------------------------------------------------------------------
def cal_train_time(logs, args):
    for log in logs:
        print(f'{"-" * 5}Analyze train time of {log.path}{"-" * 5}')
        # group the logged iteration times of training lines by epoch;
        # iteration-based runs have no epoch and form a single group
        groups = OrderedDict()
        for rec in log.train:
            if not is_number(rec.get('time')):
                continue
            groups.setdefault(rec.get('epoch'), []).append(rec['time'])
        if not groups:
            raise LogError(f'{log.path}: no training "time" values found '
                           '(was IterTimerHook enabled?)')
        if not args.include_outliers:
            # the first record of an epoch includes warm-up / dataloader
            # start-up time
            groups = OrderedDict(
                (epoch, times[1:]) for epoch, times in groups.items())
            groups = OrderedDict(
                (epoch, times) for epoch, times in groups.items() if times)
            if not groups:
                raise LogError(
                    f'{log.path}: every epoch has only one logged iteration; '
                    'use --include-outliers or reduce the log interval in the '
                    'config so that it is less than the iterations of one '
                    'epoch')
        all_times = [t for times in groups.values() for t in times]
        avg_iter_time = sum(all_times) / len(all_times)
        if None in groups:
            print('iteration-based run (no epoch information)')
        else:
            epoch_avg = OrderedDict(
                (epoch, sum(t) / len(t)) for epoch, t in groups.items())
            slowest = max(epoch_avg, key=epoch_avg.get)
            fastest = min(epoch_avg, key=epoch_avg.get)
            mean = sum(epoch_avg.values()) / len(epoch_avg)
            std = math.sqrt(
                sum((v - mean)**2 for v in epoch_avg.values()) /
                len(epoch_avg))
            print(f'slowest epoch {slowest}, '
                  f'average time is {epoch_avg[slowest]:.4f} s/iter')
            print(f'fastest epoch {fastest}, '
                  f'average time is {epoch_avg[fastest]:.4f} s/iter')
            print(f'time std over epochs is {std:.4f}')
        print(f'average iter time: {avg_iter_time:.4f} s/iter')
        print()


# ----------------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------------
def add_plot_parser(subparsers):
    parser_plt = subparsers.add_parser(
        'plot_curve', help='plot training/validation curves')
    parser_plt.add_argument(
        'json_logs',
        nargs='+',
        help='vis_data/scalars.json file(s) written by mmengine, or the '
        'work_dir of a run (its resumed parts are joined); a+b draws run b '
        'after run a as one run (the stages of a schedule)')
    parser_plt.add_argument(
        '--keys',
        nargs='+',
        default=['loss'],
        help='keys to plot, e.g. loss lr accuracy/overall (default: loss)')
    parser_plt.add_argument('--title', help='title of the figure')
    parser_plt.add_argument(
        '--legend',
        nargs='+',
        default=None,
        help='legend entries, one per file and key (file-major order)')
    parser_plt.add_argument(
        '--backend', default=None, help='matplotlib backend to use')
    parser_plt.add_argument(
        '--style',
        default=DEFAULT_STYLE,
        help='matplotlib style (plt.style.available or "default"); '
        f'default: {DEFAULT_STYLE}')
    parser_plt.add_argument(
        '--out', default=None, help='save the figure to this file')
    parser_plt.add_argument(
        '--dpi', type=int, default=120, help='resolution of --out')


def add_time_parser(subparsers):
    parser_time = subparsers.add_parser(
        'cal_train_time',
        help='compute the average time per training iteration')
    parser_time.add_argument(
        'json_logs',
        nargs='+',
        help='vis_data/scalars.json file(s) written by mmengine, or the '
        'work_dir of a run (its resumed parts are joined)')
    parser_time.add_argument(
        '--include-outliers',
        action='store_true',
        help='include the first logged value of every epoch when computing '
        'the average time')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Analyze mmengine scalars.json logs')
    subparsers = parser.add_subparsers(dest='task', help='task parser')
    subparsers.required = True
    add_plot_parser(subparsers)
    add_time_parser(subparsers)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    tasks = dict(plot_curve=plot_curve, cal_train_time=cal_train_time)
    try:
        logs = load_logs(args.json_logs)
        tasks[args.task](logs, args)
    except LogError as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
