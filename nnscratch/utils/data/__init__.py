"""``torch.utils.data``: map-style and iterable-style datasets, samplers, ``default_collate``
and ``DataLoader``.

Same names, signatures and batching as torch's; shuffles come from the library generator
(``ns.manual_seed``) or a ``generator=`` (:class:`nnscratch.Generator`), so the orders are
reproducible but are not torch's.  ``num_workers`` is accepted and the loading runs
in-process.  In-memory arrays: :class:`ArrayDataset` fetches a whole batch per
``__getitems__`` call, and ``array_loader(X, y, batch_size=...)`` is its DataLoader (what
``fit`` uses).
"""
from .collate import default_collate
from .array_loader import ArrayLoader
from .dataloader import DataLoader, array_loader
from .dataset import (ArrayDataset, ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      ShardedBatchSampler, SubsetRandomSampler, WeightedRandomSampler)
from . import distributed
from .distributed import DistributedSampler

__all__ = ["Dataset", "IterableDataset", "ChainDataset", "TensorDataset", "Subset",
           "ConcatDataset", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "WeightedRandomSampler", "SubsetRandomSampler", "BatchSampler",
           "default_collate", "DataLoader", "DistributedSampler", "ArrayDataset",
           "array_loader", "ArrayLoader", "ShardedBatchSampler"]
