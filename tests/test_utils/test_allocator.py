"""Tests for vlframe/utils/allocator.py."""
import ctypes.util
import mmap

import pytest

import vlframe.utils.allocator as allocator
from vlframe.utils import minor_page_faults, tune_malloc


@pytest.fixture
def no_malloc_env(monkeypatch):
    monkeypatch.delenv('MALLOC_MMAP_THRESHOLD_', raising=False)
    monkeypatch.delenv('MALLOC_TRIM_THRESHOLD_', raising=False)


def test_thresholds():
    assert allocator.MMAP_THRESHOLD == 128 * 1024 * 1024
    assert allocator.TRIM_THRESHOLD == 512 * 1024 * 1024


def test_tune_malloc_on_glibc(no_malloc_env):
    assert ctypes.util.find_library('c') is not None
    assert tune_malloc() is True
    assert tune_malloc(mmap_threshold=1024 * 1024,
                       trim_threshold=4 * 1024 * 1024) is True


def test_explicit_environment_wins(monkeypatch):
    calls = []

    class FakeLibc:

        class mallopt:  # noqa: N801 - stands in for a ctypes function
            argtypes = None

            def __new__(cls, param, value):
                calls.append((param, value))
                return 1

    monkeypatch.setattr(allocator.ctypes, 'CDLL', lambda name: FakeLibc)
    monkeypatch.setenv('MALLOC_MMAP_THRESHOLD_', '65536')
    monkeypatch.delenv('MALLOC_TRIM_THRESHOLD_', raising=False)
    assert tune_malloc() is True
    assert calls == [(-1, 512 * 1024 * 1024)]  # only M_TRIM_THRESHOLD
    calls.clear()
    monkeypatch.setenv('MALLOC_TRIM_THRESHOLD_', '65536')
    assert tune_malloc() is True
    assert calls == []
    monkeypatch.delenv('MALLOC_MMAP_THRESHOLD_')
    monkeypatch.delenv('MALLOC_TRIM_THRESHOLD_')
    assert tune_malloc(mmap_threshold=7, trim_threshold=9) is True
    assert calls == [(-3, 7), (-1, 9)]


def test_no_glibc_returns_false(monkeypatch):
    monkeypatch.setattr(allocator.ctypes.util, 'find_library',
                        lambda name: None)
    assert tune_malloc() is False

    def no_lib(name):
        raise OSError('no such library')

    monkeypatch.setattr(allocator.ctypes.util, 'find_library',
                        lambda name: 'libc.so.6')
    monkeypatch.setattr(allocator.ctypes, 'CDLL', no_lib)
    assert tune_malloc() is False


def test_minor_page_faults_count_fresh_pages():
    pages = 1024
    before = minor_page_faults()
    assert isinstance(before, int) and before > 0
    buf = mmap.mmap(-1, pages * mmap.PAGESIZE)
    try:
        if hasattr(mmap, 'MADV_NOHUGEPAGE'):
            buf.madvise(mmap.MADV_NOHUGEPAGE)  # one fault per 4 KiB page
        for i in range(pages):
            buf[i * mmap.PAGESIZE] = 1  # first touch of each page
        after = minor_page_faults()
    finally:
        buf.close()
    assert after - before >= pages
    assert after - before < pages + 5000  # not wildly more


def test_tuning_can_be_switched_off(monkeypatch):
    from vlframe.utils.allocator import tune_malloc
    monkeypatch.setenv('VLFRAME_NO_MALLOC_TUNING', '1')
    assert tune_malloc() is False
