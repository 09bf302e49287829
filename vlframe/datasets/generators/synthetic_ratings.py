"""Synthetic low-rank rating matrices in the MovieLens-100K file format.

For tests and quick runs of the rating pipeline with no download. The
ratings follow a rank-``rank`` model, so they are learnable from the
observed ones:

    score = U V^T / sqrt(rank) (standard normal entries) + noise
    rating = round(clip(3 + 1.25 * score, 1, 5))      in 1..5

``num_ratings = round(density * num_users * num_items)`` distinct
(user, item) pairs are drawn uniformly. The files are the ones
``vlframe.datasets.rating_readers.read_movielens_100k`` reads, written as
GroupLens does:

* ``u.data``: every rating, ``user<TAB>item<TAB>rating<TAB>timestamp``,
  1-based ids, in random order;
* ``u1.base`` / ``u1.test``: a 80/20 split of ``u.data``, each sorted by
  user then item (like the official fold ``u1``);
* ``u.info``: ``<n> users``, ``<n> items``, ``<n> ratings``.

Everything is a pure function of the arguments (one
``numpy.random.default_rng(seed)``).
"""
import argparse
import os
import os.path as osp
from typing import Dict

import numpy as np

__all__ = ['synthetic_rating_matrix', 'generate_synthetic_ratings']

# timestamps of the real u.data lie in 874724710..893286638 (1997-1998)
_FIRST_TIMESTAMP = 874724710
_TIMESTAMP_SPAN = 18561928


def synthetic_rating_matrix(num_users: int,
                            num_items: int,
                            rank: int = 3,
                            density: float = 0.05,
                            noise_std: float = 0.5,
                            seed: int = 0) -> Dict[str, np.ndarray]:
    """Draw the observed ratings of a low-rank matrix.

    Returns:
        ``users`` / ``items`` (K,) 0-based int64, ``ratings`` (K,) float64
        in 1..5, ``timestamps`` (K,) int64, in a random order, and
        ``scores`` (num_users, num_items) the noiseless ``U V^T / sqrt(rank)``.
    """
    if not 0 < density <= 1:
        raise ValueError(f'density must be in (0, 1], got {density}')
    rng = np.random.default_rng(seed)
    user_factors = rng.standard_normal((num_users, rank))  # (U, r)
    item_factors = rng.standard_normal((num_items, rank))  # (I, r)
    # / sqrt(rank): unit variance whatever the rank
    scores = user_factors @ item_factors.T / np.sqrt(rank)  # (U, I)
    num_ratings = max(1, int(round(density * num_users * num_items)))
    flat = rng.choice(num_users * num_items, size=num_ratings, replace=False)
    users, items = np.divmod(flat, num_items)
    noisy = scores[users, items] + noise_std * rng.standard_normal(num_ratings)
    ratings = np.round(np.clip(3 + 1.25 * noisy, 1, 5))
    timestamps = _FIRST_TIMESTAMP + rng.integers(0, _TIMESTAMP_SPAN,
                                                 num_ratings)
    return dict(
        users=users.astype(np.int64),
        items=items.astype(np.int64),
        ratings=ratings,
        timestamps=timestamps.astype(np.int64),
        scores=scores)


def _write_ratings(path: str, users: np.ndarray, items: np.ndarray,
                   ratings: np.ndarray, timestamps: np.ndarray) -> None:
    with open(path, 'w') as f:
        for user, item, rating, timestamp in zip(users, items, ratings,
                                                 timestamps):
            f.write(f'{user + 1}\t{item + 1}\t{int(rating)}\t{timestamp}\n')


def generate_synthetic_ratings(out_dir: str,
                               num_users: int = 300,
                               num_items: int = 400,
                               rank: int = 3,
                               density: float = 0.05,
                               noise_std: float = 0.5,
                               test_fraction: float = 0.2,
                               seed: int = 0) -> Dict[str, int]:
    """Write ``u.data``, ``u1.base``, ``u1.test`` and ``u.info`` into
    ``out_dir`` (created if needed).

    Returns:
        ``num_users``, ``num_items``, ``num_ratings``, ``num_train``,
        ``num_test``.
    """
    arrays = synthetic_rating_matrix(num_users, num_items, rank, density,
                                     noise_std, seed)
    users, items = arrays['users'], arrays['items']
    ratings, timestamps = arrays['ratings'], arrays['timestamps']
    num_ratings = len(ratings)
    os.makedirs(out_dir, exist_ok=True)
    _write_ratings(osp.join(out_dir, 'u.data'), users, items, ratings,
                   timestamps)
    # the rows are in random order already: the first 20% are the test fold
    num_test = int(round(test_fraction * num_ratings))
    for name, rows in (('u1.test', np.arange(num_test)),
                       ('u1.base', np.arange(num_test, num_ratings))):
        rows = rows[np.lexsort((items[rows], users[rows]))]
        _write_ratings(
            osp.join(out_dir, name), users[rows], items[rows], ratings[rows],
            timestamps[rows])
    with open(osp.join(out_dir, 'u.info'), 'w') as f:
        f.write(f'{num_users} users\n{num_items} items\n'
                f'{num_ratings} ratings\n')
    return dict(
        num_users=num_users,
        num_items=num_items,
        num_ratings=num_ratings,
        num_train=num_ratings - num_test,
        num_test=num_test)


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Write a synthetic low-rank rating matrix in the '
        'MovieLens-100K format (u.data, u1.base, u1.test, u.info).')
    parser.add_argument('out_dir')
    parser.add_argument('--num-users', type=int, default=300)
    parser.add_argument('--num-items', type=int, default=400)
    parser.add_argument('--rank', type=int, default=3)
    parser.add_argument('--density', type=float, default=0.05)
    parser.add_argument('--noise-std', type=float, default=0.5)
    parser.add_argument('--test-fraction', type=float, default=0.2)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    stats = generate_synthetic_ratings(
        args.out_dir, args.num_users, args.num_items, args.rank,
        args.density, args.noise_std, args.test_fraction, args.seed)
    print(f'wrote {stats["num_ratings"]} ratings of {stats["num_users"]} '
          f'users x {stats["num_items"]} items ({stats["num_train"]} in '
          f'u1.base, {stats["num_test"]} in u1.test) to {args.out_dir}')


if __name__ == '__main__':
    main()
