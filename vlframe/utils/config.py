"""Checks on configs that mmengine leaves to the user."""
import difflib
from typing import Any, Dict, List

from mmengine.config import Config


class ConfigKeyError(KeyError):
    """A ``--cfg-options`` key names nothing in the config."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def _all_key_paths(node: Any, prefix: str = '') -> List[str]:
    """Dotted paths of every key in nested dicts/lists (``a.b.0.c``)."""
    paths = []
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)):
        items = ((str(i), v) for i, v in enumerate(node))
    else:
        return paths
    for key, value in items:
        path = f'{prefix}{key}'
        paths.append(path)
        paths.extend(_all_key_paths(value, path + '.'))
    return paths


def _resolve(node: Any, parts: List[str]) -> bool:
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, (list, tuple)) and part.isdigit() \
                and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def merge_cfg_options(cfg: Config, options: Dict[str, Any],
                      config_path: str = 'the config') -> None:
    """``cfg.merge_from_dict(options)``, refusing keys that do not exist.

    mmengine silently adds an unknown key, so a typo such as
    ``train_dataloader.batchsize=8`` would train with the old batch size.
    Every key must already exist; new arguments belong in a config file
    that inherits this one.
    """
    if not options:
        return
    as_dict = cfg.to_dict()
    for key in options:
        if not _resolve(as_dict, key.split('.')):
            known = _all_key_paths(as_dict)
            close = difflib.get_close_matches(key, known, n=5, cutoff=0.6)
            hint = f' Did you mean: {", ".join(close)}?' if close else ''
            raise ConfigKeyError(
                f'--cfg-options key "{key}" does not exist in {config_path}.'
                f'{hint} (Keys are dotted paths of the merged config; print '
                'it with tools/misc/print_config.py. New keys belong in a '
                'config file that inherits this one.)')
    cfg.merge_from_dict(options)
