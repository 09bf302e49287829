"""What the CPU offers for bf16 matrix products.

The lead of a bf16 model over its fp32 form is a property of the CPU as
much as of the code (docs/benchmarks.md: the same RN step is 2.1-2.6x the
naive fp32 one on one AVX512-BF16 machine and 3.0x on another), so
``tools/analysis_tools/benchmark.py`` prints this beside its numbers.
"""
import os
import platform

# x86: AVX512-BF16 dot products, AMX tiles; Arm: the BF16 extension
BF16_FLAGS = ('avx512_bf16', 'amx_bf16', 'amx_tile', 'bf16')


def _usable_cores() -> int:
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def describe_cpu(cpuinfo_path: str = '/proc/cpuinfo') -> dict:
    """Model name, x86 family/model, usable cores and bf16 flags.

    Reads the first processor block of ``/proc/cpuinfo`` (Linux); elsewhere
    only ``platform``'s name is known and the flags list stays empty.
    """
    info = dict(model_name=platform.processor() or platform.machine(),
                family=None, model=None, cores=_usable_cores(),
                bf16_flags=[])
    try:
        with open(cpuinfo_path) as f:
            text = f.read()
    except OSError:
        return info
    fields = {}
    for line in text.split('\n\n', 1)[0].splitlines():
        key, sep, value = line.partition(':')
        if sep:
            fields[key.strip()] = value.strip()
    # x86 lists 'flags', Arm 'Features'
    flags = set((fields.get('flags') or fields.get('Features') or '').split())
    info.update(model_name=fields.get('model name', info['model_name']),
                family=fields.get('cpu family'), model=fields.get('model'),
                bf16_flags=[flag for flag in BF16_FLAGS if flag in flags])
    return info


def cpu_line(info: dict) -> str:
    """One line for a report, e.g. ``cpu: AMD EPYC (family 26, model 2),
    2 usable cores; bf16 flags: avx512_bf16``."""
    family = (f' (family {info["family"]}, model {info["model"]})'
              if info['family'] else '')
    flags = ', '.join(info['bf16_flags']) or 'none'
    return (f'cpu: {info["model_name"]}{family}, {info["cores"]} usable '
            f'cores; bf16 flags: {flags}')
