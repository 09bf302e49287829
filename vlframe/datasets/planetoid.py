"""Planetoid citation graphs (Cora, CiteSeer, PubMed) with the public split
of Yang et al. (2016), read through ``torch_geometric.datasets.Planetoid``
from local raw files; nothing is downloaded."""
import hashlib
import os.path as osp
from typing import List, Optional

from mmengine.dataset import BaseDataset
from torch_geometric.data import Data
from torch_geometric.datasets import Planetoid
from torch_geometric.transforms import NormalizeFeatures

from vlframe.registry import DATASETS
from vlframe.structures import GraphDataSample
from vlframe.utils.paths import is_writable_dir, user_cache_dir
from .sort_of_clevr import DatasetLayoutError

RAW_SUFFIXES = ('x', 'tx', 'allx', 'y', 'ty', 'ally', 'graph', 'test.index')


class LocalPlanetoid(Planetoid):
    """torch_geometric's ``Planetoid`` that never downloads.

    A missing raw file is a :class:`DatasetLayoutError` naming the files
    and the layout, where torch_geometric would fetch them from GitHub.
    When the root is read-only (a shared data directory), the processed
    tensors go to ``processed_root`` instead of ``<root>/<name>/processed``.
    """

    def __init__(self, root: str, name: str,
                 processed_root: Optional[str] = None, **kwargs):
        self._processed_root = processed_root
        super().__init__(root, name, **kwargs)

    @property
    def processed_dir(self) -> str:
        if self._processed_root is None:
            return super().processed_dir
        return osp.join(self._processed_root, self.name, 'processed')

    def download(self) -> None:
        missing = [path for path in self.raw_paths if not osp.isfile(path)]
        raise DatasetLayoutError(
            f'Planetoid {self.name}: {len(missing)} raw file(s) missing: '
            f'{", ".join(missing)}. Expected the original files of '
            f'Yang et al. (2016) in {self.raw_dir}/: '
            f'{", ".join(self.raw_file_names)} (see data/README.md); '
            'vlframe does not download them.')


@DATASETS.register_module()
class PlanetoidDataset(BaseDataset):
    """One Planetoid graph for full-batch node classification.

    The dataset has a single sample, the whole graph, so an epoch is one
    training step. ``split`` chooses which public-split mask the sample
    carries as ``split_mask``: the nodes the loss sees (``train``) or the
    nodes the metric scores (``val`` / ``test``).

    Args:
        data_root: the directory holding ``<name>/raw/ind.<name>.*``, laid
            out as torch_geometric lays it out (``data/planetoid`` holds
            ``Cora/raw/``).
        name: ``Cora``, ``CiteSeer`` or ``PubMed``.
        split: ``train``, ``val`` or ``test``.
        processed_root: where torch_geometric writes its processed tensors;
            by default ``<data_root>/<name>/processed`` when that is
            writable, else ``~/.cache/vlframe/planetoid/<hash of the path>``
            (``$XDG_CACHE_HOME`` if set).
        normalize_features: divide each node's features by their sum
            (torch_geometric's ``NormalizeFeatures``), as GCN and APPNP
            preprocess the bag-of-words vectors.
    """

    METAINFO = dict(task='node classification')
    SPLITS = ('train', 'val', 'test')

    def __init__(self,
                 data_root: str,
                 name: str = 'Cora',
                 split: str = 'train',
                 processed_root: Optional[str] = None,
                 normalize_features: bool = True,
                 **kwargs):
        if split not in self.SPLITS:
            raise ValueError(f'PlanetoidDataset: split must be one of '
                             f'{self.SPLITS}, got {split!r}')
        self.name = name
        self.split = split
        self.processed_root = processed_root
        self.normalize_features = normalize_features
        # the graph is one tensor-holding object: no pickle round trip per
        # access (mmengine serializes data_list otherwise)
        kwargs.setdefault('serialize_data', False)
        super().__init__(data_root=data_root, **kwargs)

    def _processed_root(self) -> Optional[str]:
        if self.processed_root is not None:
            return self.processed_root
        graph_dir = osp.join(self.data_root, self.name)
        if is_writable_dir(graph_dir):
            return None
        # a read-only root (a shared copy): one place per raw directory, so
        # the train / val / test datasets and later runs process it once
        key = hashlib.sha1(
            osp.abspath(graph_dir).encode()).hexdigest()[:12]
        return user_cache_dir('planetoid', key)

    def load_data_list(self) -> List[dict]:
        raw_dir = osp.join(self.data_root, self.name, 'raw')
        if not osp.isdir(raw_dir):
            raise DatasetLayoutError(
                f'Planetoid {self.name}: no directory {raw_dir}. Expected '
                f'{self.data_root}/{self.name}/raw/ holding ind.'
                f'{self.name.lower()}.{{{",".join(RAW_SUFFIXES)}}} '
                '(see data/README.md).')
        planetoid = LocalPlanetoid(
            self.data_root, self.name, processed_root=self._processed_root(),
            split='public')
        graph = planetoid[0]
        if self.normalize_features:
            graph = NormalizeFeatures()(graph)
        self._metainfo.update(
            num_classes=planetoid.num_classes,
            num_features=planetoid.num_features,
            num_nodes=graph.num_nodes)
        return [
            dict(
                graph=Data(x=graph.x, edge_index=graph.edge_index),
                gt_label=graph.y,
                split_mask=graph[f'{self.split}_mask'])
        ]

    def prepare_data(self, idx: int) -> dict:
        # no copy: nothing downstream modifies the graph in place
        info = self.data_list[idx]
        sample = GraphDataSample(metainfo=dict(split=self.split,
                                               name=self.name))
        sample.set_gt_label(info['gt_label'])
        sample.set_split_mask(info['split_mask'])
        return dict(inputs=info['graph'], data_samples=sample)
