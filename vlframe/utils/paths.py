"""Where datasets may write their caches."""
import os
import os.path as osp


def is_writable_dir(path: str) -> bool:
    """Whether ``path`` is a directory vlframe may write into.

    ``os.access`` says yes to root whatever the mode bits, so a directory
    made read-only on purpose (a shared data copy, mode ``r-x``) is
    recognised by having no write bit at all.
    """
    return (osp.isdir(path) and os.access(path, os.W_OK)
            and bool(os.stat(path).st_mode & 0o222))


def user_cache_dir(*parts: str) -> str:
    """``$XDG_CACHE_HOME/vlframe/<parts>`` (default ``~/.cache/vlframe``):
    the caches of data that lives in a read-only directory."""
    cache_home = os.environ.get('XDG_CACHE_HOME') or osp.expanduser(
        osp.join('~', '.cache'))
    return osp.join(cache_home, 'vlframe', *parts)
