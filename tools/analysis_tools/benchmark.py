# Copyright (c) vlframe contributors. All rights reserved.
"""Training throughput of a config through the Runner and in a plain loop.

Usage::

    python tools/analysis_tools/benchmark.py CONFIG [--iters N] [--warmup W]
        [--repeats R] [--naive-iters K] [--no-naive] [--data-only]
        [--whole-run EPOCHS] [--subgraphs [PAIRS]] [--cfg-options k=v ...]
        [--out results.json]

In one process, under the same glibc malloc settings, it measures

* **Runner**: ``Runner.from_cfg`` on the config as ``tools/train.py`` builds
  it (same hooks: timer, logger, param scheduler, sampler seed, the
  visualization hook, custom hooks), except that it writes into a temporary
  work_dir, does not save checkpoints (``default_hooks.checkpoint=None``),
  does not validate (``val_*=None``) and loads nothing. A lowest-priority
  hook reads ``time.perf_counter()`` and the page-fault counter in
  ``after_train_iter``; the clock runs from the end of the W-th iteration to
  the end of the (W+N)-th, then the hook stops the run. Everything the
  Runner does per iteration is inside: data loading, ``train_step``, every
  hook.
* **plain**: the same model (``MODELS.build(cfg.model)``), the same
  dataloader (``Runner.build_dataloader(cfg.train_dataloader)``) and batch
  size in a loop a PyTorch user would write: ``data_preprocessor``, forward
  in ``mode='loss'``, sum of the losses, ``zero_grad``, ``backward``,
  ``step``. The optimizer is plain ``torch.optim`` built from
  ``cfg.optim_wrapper.optimizer`` (no mmengine wrapper); when the config
  trains under ``AutocastOptimWrapper`` the forward runs in
  ``torch.autocast(device, dtype)``, as the Runner's does. Timed like the
  Runner: from the end of the W-th iteration to the end of the (W+N)-th,
  data loading included.

The two sides alternate R times (the order flips each repeat) and the
medians are reported; throughput is the number of samples of the timed
iterations over the elapsed time. The last line is
``ratio (runner / plain): X.XX``.

For a Relation Network config (fusion ``RelationNetworkFusion``) it also
times a straightforward fp32 RN that builds all object pairs by
repeat/concatenate, as public reimplementations do
(kimhc6028/relational-networks), with the weights of our model copied into
it: first a correctness check that its fp32 forward equals ours, then a full
training step (forward, loss, backward, Adam step) of each on the same
preprocessed batches, ours in the precision its config trains with.

``--whole-run EPOCHS`` times whole training runs instead, for configs
whose epochs are short (full-batch node classification, where an epoch is
one step): the Runner's ``train()`` as ``tools/train.py`` runs it (building
the data and model, validation at the config's interval, logging, the
config's checkpoints into a temporary work_dir) for EPOCHS epochs, against
a plain loop that builds the same model and dataloaders, trains, evaluates
the validation set with the same metric every epoch and keeps the best
state dict in memory, as torch_geometric's examples do. Early stopping is
removed on both sides so they run the same epochs. The last line is
``ratio (runner / plain wall time): X.XX``.

``--subgraphs [PAIRS]`` times, for a ``RatingSubgraphDataset`` config
(IGMC), the enclosing-subgraph extraction of its train split: ours
(vectorized over CSR/CSC neighbour lookups, 1 worker and the dataset's
``num_workers``) against a straightforward per-sample implementation in
the style of the authors' code (``benchmark_subgraphs.py`` beside this
file), on the same PAIRS random pairs (default 5000, 0 = all), after
checking they give the same subgraphs. The last line is
``speedup (ours / per-sample): X.XX``.

``--data-only`` times the train dataloader alone (batches/s and samples/s,
the config's ``num_workers``), with no model.

Allocator: like ``tools/train.py`` this calls
``vlframe.utils.allocator.tune_malloc()`` before torch is imported, so both
sides run with the raised glibc mmap/trim thresholds (an explicit
``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` in the environment
wins); the settings in force are printed, with a check that a freed 64 MiB
block is reused without page faults.
"""
# glibc malloc thresholds first, before torch allocates anything
from vlframe.utils.allocator import (MMAP_THRESHOLD,  # isort: skip
                                     TRIM_THRESHOLD, minor_page_faults,
                                     tune_malloc)

_MALLOC_TUNED = tune_malloc()


def _heap_reuse_faults(size: int = 64 << 20) -> int:
    """Page faults when a freed ``size`` block is allocated and touched
    again: 0 when freed memory stays in the heap, about size / 4 KiB when
    glibc serves it with a fresh ``mmap`` each time (its default above 32
    MiB). -1 where there is no glibc."""
    import ctypes
    import ctypes.util
    name = ctypes.util.find_library('c')
    if name is None:
        return -1
    try:
        libc = ctypes.CDLL(name)
        malloc, free = libc.malloc, libc.free
    except (OSError, AttributeError):
        return -1
    malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    free.restype, free.argtypes = None, [ctypes.c_void_p]
    faults = []
    for _ in range(2):
        ptr = malloc(size)
        if not ptr:
            return -1
        before = minor_page_faults()
        ctypes.memset(ptr, 1, size)
        faults.append(minor_page_faults() - before)
        free(ptr)
    return faults[1]


_HEAP_REUSE_FAULTS = _heap_reuse_faults()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import copy  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import os.path as osp  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from torch import nn  # noqa: E402

from vlframe.utils import (cpu_line, describe_cpu,  # noqa: E402
                           merge_cfg_options, register_all_modules)
from vlframe.utils.cli import load_config, run_tool  # noqa: E402


class BenchmarkError(Exception):
    """Bad benchmark input: printed without a traceback, exit status 2."""


class NaiveUnsupported(Exception):
    """The model has parts the naive RN does not mirror: skip it."""


def parse_args():
    parser = argparse.ArgumentParser(
        description='Training throughput of a config: the Runner vs a plain '
        'PyTorch loop of the same model, data and batch size')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--iters', type=int, default=100,
                        help='timed iterations per repeat (default 100)')
    parser.add_argument('--warmup', type=int, default=10,
                        help='untimed iterations before them (default 10)')
    parser.add_argument(
        '--repeats', type=int, default=3,
        help='alternate the two sides this many times and report the median '
        'of each (default 3)')
    parser.add_argument(
        '--naive-iters', type=int, default=10,
        help='timed training steps of the naive RN comparison per repeat '
        '(default 10, at most --iters; the naive fp32 step is slow)')
    parser.add_argument('--no-naive', action='store_true',
                        help='skip the naive Relation Network comparison')
    parser.add_argument(
        '--data-only', action='store_true',
        help='time the train dataloader alone (samples/s), no model')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config: key=value, dotted keys '
        '(e.g. train_dataloader.batch_size=8); the key must exist')
    parser.add_argument(
        '--whole-run', type=int, metavar='EPOCHS',
        help='time whole training runs of EPOCHS epochs with validation '
        '(Runner.train() vs a plain loop) instead of iterations')
    parser.add_argument(
        '--subgraphs', type=int, nargs='?', const=5000, metavar='PAIRS',
        help='time the subgraph extraction of a RatingSubgraphDataset '
        'config: ours vs per-sample, on PAIRS pairs (default 5000, 0 = all)')
    parser.add_argument('--out', help='write all numbers to this JSON file')
    args = parser.parse_args()
    if args.whole_run is not None and args.whole_run < 1:
        parser.error('--whole-run needs at least 1 epoch')
    if args.iters < 1 or args.warmup < 1 or args.repeats < 1 \
            or args.naive_iters < 1:
        parser.error('--iters, --warmup, --repeats and --naive-iters must be '
                     'at least 1 (the clock starts at the end of a warm-up '
                     'iteration)')
    return args


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def allocator_report() -> dict:
    """The glibc malloc thresholds in force and where they come from (glibc
    has no getter: environment first, as glibc reads it at start-up, then
    what ``tune_malloc`` applied; the heap-reuse probe checks the effect)."""
    def setting(env_key: str, tuned_value: int):
        if env_key in os.environ:
            return os.environ[env_key], 'environment'
        if _MALLOC_TUNED:
            return str(tuned_value), 'vlframe tune_malloc (as tools/train.py)'
        return None, 'glibc default'

    mmap, mmap_src = setting('MALLOC_MMAP_THRESHOLD_', MMAP_THRESHOLD)
    trim, trim_src = setting('MALLOC_TRIM_THRESHOLD_', TRIM_THRESHOLD)
    return dict(mmap_threshold=mmap, mmap_source=mmap_src,
                trim_threshold=trim, trim_source=trim_src,
                tune_malloc_applied=_MALLOC_TUNED,
                heap_reuse_faults_64mib=_HEAP_REUSE_FAULTS)


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def batch_len(batch, default: int) -> int:
    """Samples in a collated batch (the last one of an epoch may be short)."""
    if isinstance(batch, dict):
        samples = batch.get('data_samples')
        if isinstance(samples, (list, tuple)):
            return len(samples)
        inputs = batch.get('inputs')
        if isinstance(inputs, dict) and inputs:
            first = next(iter(inputs.values()))
            if isinstance(first, (list, tuple, torch.Tensor)):
                return len(first)
    return default


def cycle(loader):
    """Endless batches, a new epoch (reshuffled) when one runs out."""
    epoch = 0
    while True:
        sampler = getattr(loader, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(epoch)
        yield from loader
        epoch += 1


def bare_type(cfg_type) -> str:
    name = cfg_type if isinstance(cfg_type, str) else cfg_type.__name__
    return name.split('.')[-1]


def close_log_files(runner) -> None:
    for handler in list(runner.logger.handlers):
        if hasattr(handler, 'baseFilename'):  # the work_dir log file
            handler.close()
            runner.logger.removeHandler(handler)


def median(values):
    return statistics.median(values)


# ----------------------------------------------------------------------------
# the Runner side
# ----------------------------------------------------------------------------
class _BenchmarkDone(Exception):
    """Raised by the timing hook to stop the Runner after W+N iterations."""


class _TimingHook(Hook):
    """Reads the clock and the page faults at the end of training
    iterations W and W+N, counts the samples in between, then stops."""

    def __init__(self, warmup: int, iters: int, batch_size: int,
                 device: str):
        self.warmup, self.iters = warmup, iters
        self.batch_size, self.device = batch_size, device
        self.count = self.samples = 0
        self.t0 = self.t1 = self.f0 = self.f1 = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        self.count += 1
        if self.count > self.warmup:
            self.samples += batch_len(data_batch, self.batch_size)
        if self.count == self.warmup:
            sync(self.device)
            self.t0, self.f0 = time.perf_counter(), minor_page_faults()
        elif self.count == self.warmup + self.iters:
            sync(self.device)
            self.t1, self.f1 = time.perf_counter(), minor_page_faults()
            raise _BenchmarkDone


def runner_cfg(cfg, work_dir: str, name: str, needed_iters: int,
               iters_per_epoch: int):
    """The config as tools/train.py would run it, minus checkpoint saving,
    validation and loading, with enough training length for the
    benchmark (it stops the run itself)."""
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = work_dir
    cfg.experiment_name = name
    cfg.launcher = 'none'
    cfg.load_from = None
    cfg.resume = False
    if cfg.get('default_hooks') is not None \
            and 'checkpoint' in cfg.default_hooks:
        cfg.default_hooks.checkpoint = None
    cfg.val_dataloader = None
    cfg.val_cfg = None
    cfg.val_evaluator = None
    train_cfg = cfg.train_cfg
    train_cfg.val_interval = 10**9
    by_epoch = (bare_type(train_cfg.get('type', '')) == 'EpochBasedTrainLoop'
                or train_cfg.get('by_epoch', False))
    if by_epoch:
        epochs = math.ceil(needed_iters / max(iters_per_epoch, 1)) + 1
        train_cfg.max_epochs = max(train_cfg.get('max_epochs', 1), epochs)
    else:
        train_cfg.max_iters = max(train_cfg.get('max_iters', 1),
                                  needed_iters + 1)
    return cfg


def run_runner(cfg, args, repeat: int, batch_size: int,
               iters_per_epoch: int, device: str) -> dict:
    with tempfile.TemporaryDirectory(prefix='vlframe_benchmark_') as tmp:
        rcfg = runner_cfg(cfg, tmp, f'benchmark{os.getpid()}_{repeat}',
                          args.warmup + args.iters, iters_per_epoch)
        if 'runner_type' not in rcfg:
            runner = Runner.from_cfg(rcfg)
        else:
            from vlframe.registry import RUNNERS
            runner = RUNNERS.build(rcfg)
        hook = _TimingHook(args.warmup, args.iters, batch_size, device)
        runner.register_hook(hook, priority='LOWEST')
        try:
            runner.train()
        except _BenchmarkDone:
            pass
        else:
            raise BenchmarkError(
                f'the Runner stopped after {hook.count} iterations, before '
                f'the {args.warmup + args.iters} the benchmark needs')
        finally:
            close_log_files(runner)
            del runner
            gc.collect()
    return side_result(hook.samples, args.iters, hook.t1 - hook.t0,
                       hook.f1 - hook.f0)


def side_result(samples: int, iters: int, elapsed: float,
                faults: int) -> dict:
    return dict(samples=samples, iters=iters, seconds=elapsed,
                samples_per_s=samples / elapsed,
                ms_per_iter=1000 * elapsed / iters,
                page_faults=faults, page_faults_per_iter=faults / iters)


# ----------------------------------------------------------------------------
# the plain side
# ----------------------------------------------------------------------------
def plain_precision(optim_cfg, device: str):
    """(autocast dtype or None, GradScaler or None, description)."""
    wrapper = bare_type(optim_cfg.get('type', 'OptimWrapper'))
    if wrapper == 'AutocastOptimWrapper':
        dtype = getattr(torch, optim_cfg.get('dtype', 'bfloat16'))
        return dtype, None, f'torch.autocast({device!r}, dtype={dtype})'
    if wrapper == 'AmpOptimWrapper':
        if not device.startswith('cuda'):
            raise BenchmarkError('AmpOptimWrapper needs CUDA; on a CPU use '
                                 'AutocastOptimWrapper (tools/train.py --amp)')
        dtype = optim_cfg.get('dtype') or 'float16'
        dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        return (dtype, torch.amp.GradScaler('cuda'),
                f'torch.autocast({device!r}, dtype={dtype}) + GradScaler')
    if wrapper != 'OptimWrapper':
        print(f'note: the plain side treats optim_wrapper type {wrapper} as '
              'a plain fp32 OptimWrapper')
    return None, None, 'fp32'


def plain_optimizer(model: nn.Module, optim_cfg) -> torch.optim.Optimizer:
    opt_cfg = dict(optim_cfg.optimizer)
    opt_type = bare_type(opt_cfg.pop('type'))
    opt_cls = getattr(torch.optim, opt_type, None)
    if opt_cls is None:
        raise BenchmarkError(
            f'the plain side builds torch.optim optimizers; {opt_type} is not '
            'one of them')
    for key in ('paramwise_cfg', 'constructor'):
        if key in optim_cfg:
            print(f'note: the plain side ignores optim_wrapper.{key}')
    return opt_cls(model.parameters(), **opt_cfg)


def sum_losses(losses: dict) -> torch.Tensor:
    """mmengine's rule: the sum of every entry whose key contains 'loss'."""
    total = 0
    for key, value in losses.items():
        if 'loss' not in key:
            continue
        if isinstance(value, torch.Tensor):
            total = total + value.mean()
        else:
            total = total + sum(v.mean() for v in value)
    return total


class PlainSide:
    """Model, torch optimizer, precision and dataloader of the plain loop."""

    def __init__(self, cfg, device: str):
        from vlframe.registry import MODELS
        model_cfg = copy.deepcopy(cfg.model)
        if cfg.get('data_preprocessor') is not None:
            model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
        self.model = MODELS.build(model_cfg)
        self.model.init_weights()
        self.model.to(device)
        self.model.train()
        self.device = device
        self.optimizer = plain_optimizer(self.model, cfg.optim_wrapper)
        self.cast_dtype, self.scaler, self.precision = plain_precision(
            cfg.optim_wrapper, device)
        clip = cfg.optim_wrapper.get('clip_grad')
        self.clip = dict(clip) if clip else None
        if self.clip and self.clip.pop('type', 'norm') != 'norm':
            raise BenchmarkError('the plain side supports clip_grad of type '
                                 'norm only')
        self.loader = Runner.build_dataloader(
            copy.deepcopy(cfg.train_dataloader))

    def autocast(self):
        if self.cast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(
            device_type=self.device.split(':')[0], dtype=self.cast_dtype)

    def step(self, batch) -> None:
        data = self.model.data_preprocessor(batch, True)
        with self.autocast():
            losses = self.model(**data, mode='loss')
        loss = sum_losses(losses)
        self.optimizer.zero_grad()
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
            return
        loss.backward()
        if self.clip:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(),
                                           **self.clip)
        self.optimizer.step()

    def run(self, warmup: int, iters: int, batch_size: int) -> dict:
        batches = cycle(self.loader)
        samples = 0
        t0 = f0 = None
        for i in range(1, warmup + iters + 1):
            batch = next(batches)
            self.step(batch)
            if i > warmup:
                samples += batch_len(batch, batch_size)
            if i == warmup:
                sync(self.device)
                t0, f0 = time.perf_counter(), minor_page_faults()
        sync(self.device)
        t1, f1 = time.perf_counter(), minor_page_faults()
        return side_result(samples, iters, t1 - t0, f1 - f0)


# ----------------------------------------------------------------------------
# the naive Relation Network
# ----------------------------------------------------------------------------
class NaiveRelationNetwork(nn.Module):
    """The Relation Network as kimhc6028/relational-networks writes it:
    conv stem, objects with coordinates, every (o_i, o_j, q) built with
    ``repeat`` and ``cat`` into a (B * N * N, 2D + Q) tensor, g-MLP, sum
    over pairs, f-MLP. Always fp32.

    Built from one of our ``VQAModel(ConvStem, RelationNetworkFusion,
    AnswerHead)`` with its weights copied (our fusion's first g layer is an
    ``nn.Linear`` on ``[o_i, o_j, q]``, so the weights map one to one).
    """

    def __init__(self, ours: nn.Module):
        super().__init__()
        blocks = getattr(ours.image_encoder, 'blocks', None)
        if blocks is None or not hasattr(ours.head, 'mlp'):
            raise NaiveUnsupported('it mirrors ConvStem + RelationNetwork'
                                   'Fusion + AnswerHead only')
        convs = []
        for block in blocks:
            if tuple(block.order) != ('conv', 'act', 'norm') \
                    or not isinstance(block.activate, nn.ReLU) \
                    or not isinstance(block.norm, nn.BatchNorm2d):
                raise NaiveUnsupported('it mirrors conv-ReLU-BN image '
                                       'encoder blocks only')
            conv, norm = block.conv, block.norm
            new_conv = nn.Conv2d(conv.in_channels, conv.out_channels,
                                 conv.kernel_size, conv.stride, conv.padding,
                                 bias=conv.bias is not None)
            new_conv.load_state_dict(conv.state_dict())
            new_norm = nn.BatchNorm2d(norm.num_features, norm.eps,
                                      norm.momentum)
            new_norm.load_state_dict(norm.state_dict())
            convs += [new_conv, nn.ReLU(), new_norm]
        self.conv = nn.Sequential(*convs)
        fusion = ours.fusion
        self.with_coordinates = fusion.with_coordinates
        self.g = nn.ModuleList()
        for layer in fusion.g_layers:
            new = nn.Linear(layer.in_features, layer.out_features)
            new.load_state_dict(layer.state_dict())
            self.g.append(new)
        f_layers = []
        for layer in ours.head.mlp:
            if isinstance(layer, nn.Linear):
                new = nn.Linear(layer.in_features, layer.out_features)
                new.load_state_dict(layer.state_dict())
                f_layers.append(new)
            elif isinstance(layer, nn.ReLU):
                f_layers.append(nn.ReLU())
            elif isinstance(layer, nn.Dropout):
                f_layers.append(nn.Dropout(layer.p))
            else:
                raise NaiveUnsupported(f'it does not mirror {layer}')
        self.f = nn.Sequential(*f_layers)

    def relations(self, img: torch.Tensor,
                  question: torch.Tensor) -> torch.Tensor:
        x = self.conv(img)  # (B, C, h, w)
        batch, channels, height, width = x.shape
        n = height * width
        objects = x.view(batch, channels, n).permute(0, 2, 1)  # (B, N, C)
        if self.with_coordinates:
            rows = torch.linspace(-1, 1, height, device=x.device)
            cols = torch.linspace(-1, 1, width, device=x.device)
            rows = rows.view(height, 1).repeat(1, width)
            cols = cols.view(1, width).repeat(height, 1)
            coords = torch.stack([rows, cols], dim=-1).view(1, n, 2)
            objects = torch.cat([objects, coords.repeat(batch, 1, 1)], 2)
        dim = objects.shape[2]
        x_i = objects.unsqueeze(2).repeat(1, 1, n, 1)  # (B, N, N, D): o_i
        x_j = objects.unsqueeze(1).repeat(1, n, 1, 1)  # (B, N, N, D): o_j
        q = question.view(batch, 1, 1, -1).repeat(1, n, n, 1)  # (B,N,N,Q)
        pairs = torch.cat([x_i, x_j, q], 3)  # (B, N, N, 2D + Q)
        pairs = pairs.view(batch * n * n, 2 * dim + q.shape[3])
        for layer in self.g:
            pairs = F.relu(layer(pairs))
        return pairs.view(batch, n * n, -1).sum(1)  # (B, H)

    def forward(self, img: torch.Tensor,
                question: torch.Tensor) -> torch.Tensor:
        return self.f(self.relations(img, question))


def is_relation_network(cfg) -> bool:
    fusion = cfg.model.get('fusion')
    return isinstance(fusion, dict) and \
        bare_type(fusion.get('type', '')) == 'RelationNetworkFusion'


def naive_comparison(plain: PlainSide, args, batch_size: int) -> dict:
    """Equality check, then training steps of naive fp32 vs ours."""
    ours = plain.model
    device = plain.device
    naive = NaiveRelationNetwork(ours).to(device)
    # a few preprocessed batches, reused by both: data loading is not timed
    batches, loader = [], iter(cycle(plain.loader))
    for _ in range(4):
        data = ours.data_preprocessor(next(loader), True)
        target = torch.stack([s.gt_answer for s in data['data_samples']])
        batches.append((data, target.to(device)))

    # correctness: fp32, eval mode (BN running stats, no dropout)
    ours.eval()
    naive.eval()
    data = batches[0][0]
    img, question = data['inputs']['img'], data['inputs']['question']
    with torch.no_grad():
        rel_ours = ours.fusion(ours.image_encoder(img), question)
        logits_ours = ours(**data, mode='tensor')
        rel_naive = naive.relations(img, question.float())
        logits_naive = naive(img, question.float())

    def rel_diff(a, b):
        return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))

    check = dict(relations=rel_diff(rel_naive, rel_ours),
                 logits=rel_diff(logits_naive, logits_ours), tolerance=1e-4)
    check['passed'] = max(check['relations'], check['logits']) <= 1e-4
    ours.train()
    naive.train()
    if not check['passed']:
        return dict(check=check)  # timing it would be meaningless

    opt_naive = torch.optim.Adam(naive.parameters(),
                                 **{k: v for k, v in dict(
                                     plain.optimizer.defaults).items()
                                    if k in ('lr', 'betas', 'eps',
                                             'weight_decay')})

    def naive_step(data, target):
        logits = naive(data['inputs']['img'],
                       data['inputs']['question'].float())
        loss = F.cross_entropy(logits, target)
        opt_naive.zero_grad()
        loss.backward()
        opt_naive.step()

    def ours_step(data, target):
        with plain.autocast():
            losses = ours(**data, mode='loss')
        loss = sum_losses(losses)
        plain.optimizer.zero_grad()
        loss.backward()
        plain.optimizer.step()

    iters = min(args.naive_iters, args.iters)
    warmup = min(args.warmup, 2)

    def timed(step):
        for i in range(warmup):
            step(*batches[i % len(batches)])
        sync(device)
        t0, f0 = time.perf_counter(), minor_page_faults()
        for i in range(iters):
            step(*batches[i % len(batches)])
        sync(device)
        elapsed = time.perf_counter() - t0
        return dict(ms_per_step=1000 * elapsed / iters,
                    page_faults_per_step=(minor_page_faults() - f0) / iters)

    runs = dict(naive=[], ours=[])
    for repeat in range(args.repeats):
        order = ('naive', 'ours') if repeat % 2 == 0 else ('ours', 'naive')
        for side in order:
            runs[side].append(
                timed(naive_step if side == 'naive' else ours_step))
    result = dict(check=check, batch_size=batch_size, warmup=warmup,
                  iters=iters, precision_ours=plain.precision, runs=runs)
    for side in ('naive', 'ours'):
        result[f'{side}_ms_per_step'] = median(
            r['ms_per_step'] for r in runs[side])
        result[f'{side}_page_faults_per_step'] = median(
            r['page_faults_per_step'] for r in runs[side])
    result['speedup'] = result['naive_ms_per_step'] / result[
        'ours_ms_per_step']
    return result


# ----------------------------------------------------------------------------
# data only
# ----------------------------------------------------------------------------
# ----------------------------------------------------------------------------
# whole runs (--whole-run)
# ----------------------------------------------------------------------------
def whole_run_cfg(cfg, work_dir: str, name: str, epochs: int):
    """The config as tools/train.py runs it, for exactly ``epochs`` epochs
    (no early stopping), writing into ``work_dir``."""
    cfg = copy.deepcopy(cfg)
    if bare_type(cfg.train_cfg.get('type', '')) != 'EpochBasedTrainLoop':
        raise BenchmarkError('--whole-run needs a config trained by '
                             'EpochBasedTrainLoop')
    cfg.work_dir = work_dir
    cfg.experiment_name = name
    cfg.launcher = 'none'
    cfg.load_from = None
    cfg.resume = False
    cfg.train_cfg.max_epochs = epochs
    cfg.custom_hooks = [
        hook for hook in cfg.get('custom_hooks', None) or []
        if bare_type(hook.get('type', '')) != 'EarlyStoppingHook'
    ]
    return cfg


def run_runner_whole(cfg, epochs: int, repeat: int) -> dict:
    from vlframe.utils.cli import build_runner
    with tempfile.TemporaryDirectory(prefix='vlframe_benchmark_') as tmp:
        rcfg = whole_run_cfg(cfg, tmp, f'benchmark{os.getpid()}_{repeat}',
                             epochs)
        t0, f0 = time.perf_counter(), minor_page_faults()
        runner = build_runner(rcfg)
        runner.train()
        elapsed = time.perf_counter() - t0
        faults = minor_page_faults() - f0
        done = runner.epoch
        close_log_files(runner)
        del runner
        gc.collect()
    if done != epochs:
        raise BenchmarkError(f'the Runner stopped after {done} of {epochs} '
                             'epochs')
    return side_result(epochs, epochs, elapsed, faults)


def improved(value: float, best, rule: str) -> bool:
    if best is None:
        return True
    return value < best if rule == 'less' else value > best


def run_plain_whole(cfg, epochs: int, device: str) -> dict:
    """Build, train ``epochs`` epochs, validate after each with the
    config's metric, keep the best state dict: a plain PyTorch loop."""
    from mmengine.evaluator import Evaluator
    t0, f0 = time.perf_counter(), minor_page_faults()
    plain = PlainSide(cfg, device)
    val_loader = Runner.build_dataloader(copy.deepcopy(cfg.val_dataloader))
    evaluator = Evaluator(copy.deepcopy(cfg.val_evaluator))
    ckpt_cfg = (cfg.get('default_hooks') or {}).get('checkpoint') or {}
    monitor, rule = ckpt_cfg.get('save_best'), ckpt_cfg.get('rule')
    best, best_state = None, None
    for _ in range(epochs):
        plain.model.train()
        for batch in plain.loader:
            plain.step(batch)
        plain.model.eval()
        with torch.no_grad():
            for batch in val_loader:
                data = plain.model.data_preprocessor(batch, False)
                evaluator.process(plain.model(**data, mode='predict'), batch)
        metrics = evaluator.evaluate(len(val_loader.dataset))
        if monitor in metrics and improved(metrics[monitor], best, rule):
            best = metrics[monitor]
            best_state = copy.deepcopy(plain.model.state_dict())
    sync(device)
    elapsed = time.perf_counter() - t0
    del best_state
    return side_result(epochs, epochs, elapsed, minor_page_faults() - f0)


def whole_run_comparison(cfg, args, device: str) -> dict:
    runs = dict(runner=[], plain=[])
    for repeat in range(args.repeats):
        order = ('runner', 'plain') if repeat % 2 == 0 else ('plain',
                                                             'runner')
        for side in order:
            if side == 'runner':
                runs[side].append(run_runner_whole(cfg, args.whole_run,
                                                   repeat))
            else:
                runs[side].append(run_plain_whole(cfg, args.whole_run,
                                                  device))
    summary = {
        side: dict(seconds=median(r['seconds'] for r in runs[side]),
                   ms_per_epoch=median(r['ms_per_iter']
                                       for r in runs[side]),
                   runs=runs[side])
        for side in runs
    }
    summary['ratio'] = (summary['runner']['seconds'] /
                        summary['plain']['seconds'])
    return summary


def run_data_only(cfg, args, batch_size: int) -> dict:
    loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader))
    runs = []
    for _ in range(args.repeats):
        batches = cycle(loader)
        samples = 0
        for i in range(1, args.warmup + args.iters + 1):
            batch = next(batches)
            if i > args.warmup:
                samples += batch_len(batch, batch_size)
            if i == args.warmup:
                t0, f0 = time.perf_counter(), minor_page_faults()
        elapsed = time.perf_counter() - t0
        runs.append(side_result(samples, args.iters, elapsed,
                                minor_page_faults() - f0))
        del batches
    return dict(
        num_workers=cfg.train_dataloader.get('num_workers', 0), runs=runs,
        samples_per_s=median(r['samples_per_s'] for r in runs),
        ms_per_iter=median(r['ms_per_iter'] for r in runs))


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------
def fmt_faults(value: float) -> str:
    return f'{value:.0f}' if value >= 100 else f'{value:.1f}'


def main():
    args = parse_args()
    register_all_modules()
    cfg = load_config(args.config)
    merge_cfg_options(cfg, args.cfg_options, args.config)
    if cfg.get('train_dataloader') is None:
        raise BenchmarkError(f'{args.config} has no train_dataloader')
    batch_size = int(cfg.train_dataloader.batch_size)
    from mmengine.device import get_device
    device = get_device()
    alloc = allocator_report()
    cpu = describe_cpu()
    results = dict(config=args.config, batch_size=batch_size,
                   warmup=args.warmup, iters=args.iters,
                   repeats=args.repeats, device=device,
                   torch=torch.__version__, cpu=cpu,
                   threads=torch.get_num_threads(), allocator=alloc)

    alloc_line = 'allocator: ' + ', '.join(
        f'{name}={alloc[key + "_threshold"] or "default"} '
        f'({alloc[key + "_source"]})'
        for name, key in (('M_MMAP_THRESHOLD', 'mmap'),
                          ('M_TRIM_THRESHOLD', 'trim')))
    header = [
        f'benchmark: {args.config}',
        f'batch size {batch_size}, {args.warmup} warm-up + {args.iters} '
        f'timed iterations, {args.repeats} repeat(s) (median), device '
        f'{device}, torch {torch.__version__}, {torch.get_num_threads()} '
        'threads',
        cpu_line(cpu),
        alloc_line + '; a freed 64 MiB block reused with '
        f'{alloc["heap_reuse_faults_64mib"]} page faults',
    ]

    if args.data_only:
        data = run_data_only(cfg, args, batch_size)
        results['data_only'] = data
        print('\n'.join(header))
        print(f'data pipeline (train_dataloader, num_workers='
              f'{data["num_workers"]}): {data["ms_per_iter"]:.2f} ms/batch, '
              'per repeat ' + ', '.join(
                  f'{r["samples_per_s"]:.1f}' for r in data['runs']) +
              ' samples/s')
        write_out(args.out, results)
        print(f'data pipeline: {data["samples_per_s"]:.1f} samples/s')
        return

    if args.subgraphs is not None:
        dataset = cfg.train_dataloader.dataset
        if bare_type(dataset.get('type', '')) != 'RatingSubgraphDataset':
            raise BenchmarkError('--subgraphs needs a config whose train '
                                 'dataset is a RatingSubgraphDataset')
        # benchmark_subgraphs.py sits beside this script (on sys.path)
        from benchmark_subgraphs import format_report, subgraph_benchmark
        options = dict(
            data_format=dataset.get('data_format', 'monti'),
            split=dataset.get('split', 'train'), hop=dataset.get('hop', 1),
            max_nodes_per_hop=dataset.get('max_nodes_per_hop'))
        num_workers = dataset.get('num_workers', 2)
        result = subgraph_benchmark(
            dataset.data_root, num_pairs=args.subgraphs or None,
            num_workers=num_workers, repeats=args.repeats, **options)
        results['subgraphs'] = result
        print('\n'.join(header[:1]))
        write_out(args.out, results)
        print('\n'.join(
            format_report(result, dataset.data_root,
                          num_workers=num_workers, **options)))
        return

    if args.whole_run is not None:
        whole = whole_run_comparison(cfg, args, device)
        results['whole_run'] = whole
        print('\n'.join(header[:1] + header[2:]))
        print(f'whole runs of {args.whole_run} epochs (build, train, '
              'validate every epoch, keep the best), '
              f'{args.repeats} repeat(s), median:')
        for side, label in (('runner', 'Runner.train()'),
                            ('plain', 'plain loop')):
            w = whole[side]
            print(f'{label:<15}{w["seconds"]:>8.2f} s  '
                  f'{w["ms_per_epoch"]:>8.2f} ms/epoch   per repeat: ' +
                  ', '.join(f'{r["seconds"]:.2f} s' for r in w['runs']))
        write_out(args.out, results)
        print(f'ratio (runner / plain wall time): {whole["ratio"]:.2f}')
        return

    plain = PlainSide(cfg, device)
    iters_per_epoch = len(plain.loader)
    runs = dict(runner=[], plain=[])
    for repeat in range(args.repeats):
        order = ('runner', 'plain') if repeat % 2 == 0 else ('plain',
                                                             'runner')
        for side in order:
            if side == 'runner':
                runs['runner'].append(
                    run_runner(cfg, args, repeat, batch_size,
                               iters_per_epoch, device))
            else:
                runs['plain'].append(
                    plain.run(args.warmup, args.iters, batch_size))
    summary = {}
    for side in ('runner', 'plain'):
        summary[side] = dict(
            samples_per_s=median(r['samples_per_s'] for r in runs[side]),
            ms_per_iter=median(r['ms_per_iter'] for r in runs[side]),
            page_faults_per_iter=median(
                r['page_faults_per_iter'] for r in runs[side]),
            runs=runs[side])
    ratio = summary['runner']['samples_per_s'] / summary['plain'][
        'samples_per_s']
    results.update(summary)
    results['plain_precision'] = plain.precision
    results['ratio'] = ratio
    # each repeat runs the two sides back to back: their ratio is less
    # exposed to a load that drifts over the run
    paired = [r['samples_per_s'] / p['samples_per_s']
              for r, p in zip(runs['runner'], runs['plain'])]
    results['ratio_per_repeat'] = paired
    results['runner_overhead_ms_per_iter'] = (
        summary['runner']['ms_per_iter'] - summary['plain']['ms_per_iter'])

    naive, notes = None, []
    if is_relation_network(cfg) and not args.no_naive:
        try:
            naive = naive_comparison(plain, args, batch_size)
            results['naive_rn'] = naive
        except NaiveUnsupported as err:
            notes.append(f'naive RN comparison skipped: {err}')

    print('\n'.join(header))
    print(f'plain loop: torch.optim.{type(plain.optimizer).__name__}, '
          f'precision {plain.precision}')
    print(f'{"side":<8}{"samples/s":>11}{"ms/iter":>10}'
          f'{"page faults/iter":>18}   samples/s per repeat')
    for side, label in (('runner', 'Runner'), ('plain', 'plain')):
        s = summary[side]
        print(f'{label:<8}{s["samples_per_s"]:>11.1f}{s["ms_per_iter"]:>10.2f}'
              f'{fmt_faults(s["page_faults_per_iter"]):>18}   ' +
              ', '.join(f'{r["samples_per_s"]:.1f}' for r in runs[side]))
    print(f'Runner time per iteration minus plain (medians): '
          f'{results["runner_overhead_ms_per_iter"]:+.2f} ms; runner / plain '
          'per repeat: ' + ', '.join(f'{r:.2f}' for r in paired))
    for note in notes:
        print(note)
    if naive is not None:
        check = naive['check']
        print(f'naive RN equality check (fp32 forward, eval mode, batch '
              f'{batch_size}): max relative difference relations '
              f'{check["relations"]:.1e}, logits {check["logits"]:.1e} '
              f'(tolerance 1e-4): '
              f'{"passed" if check["passed"] else "FAILED"}')
        if not check['passed']:
            write_out(args.out, results)
            print('error: the naive RN does not compute what ours computes; '
                  'its timing would be meaningless', file=sys.stderr)
            sys.exit(1)
        print(f'naive RN fp32 (repeat/concat pairs): '
              f'{naive["naive_ms_per_step"]:.1f} ms/step, '
              f'{fmt_faults(naive["naive_page_faults_per_step"])} page '
              f'faults/step')
        print(f'ours ({naive["precision_ours"]}): '
              f'{naive["ours_ms_per_step"]:.1f} ms/step, '
              f'{fmt_faults(naive["ours_page_faults_per_step"])} page '
              f'faults/step')
        print(f'speedup (naive fp32 / ours): {naive["speedup"]:.2f}x '
              f'(training step: forward, loss, backward, Adam; '
              f'{naive["iters"]} steps x {args.repeats} repeat(s), median)')
    write_out(args.out, results)
    print(f'ratio (runner / plain): {ratio:.2f}')


def write_out(path, results) -> None:
    if not path:
        return
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, 'w') as f:
        json.dump(results, f, indent=2, default=str)


def _main():
    try:
        main()
    except BenchmarkError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    run_tool(_main)
