import pytest
import torch

from vlframe.models.gnn import SparseInputDropout


def _sparse_features(rows=400, cols=300, density=0.02, seed=0):
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(rows, cols, generator=gen) < density
    return mask.float() * (1 + torch.rand(rows, cols, generator=gen))


def test_same_distribution_as_dropout_on_nonzeros():
    torch.manual_seed(0)
    x = _sparse_features()
    nonzero = x != 0
    dropout = SparseInputDropout(p=0.3).train()
    kept = 0
    for _ in range(20):
        out = dropout(x)
        # zeros stay zero; a kept entry is scaled by 1 / (1 - p)
        assert (out[~nonzero] == 0).all()
        kept_mask = out != 0
        torch.testing.assert_close(out[kept_mask], x[kept_mask] / 0.7)
        kept += int(kept_mask.sum())
    total = 20 * int(nonzero.sum())
    # keep fraction 0.7; 4 standard deviations of a binomial of `total`
    sd = (0.3 * 0.7 / total)**0.5
    assert abs(kept / total - 0.7) < 4 * sd
    # the expectation is the input, as for nn.Dropout
    assert abs(out.sum() / x.sum() - 1) < 0.1


def test_eval_mode_and_p_zero_return_the_input():
    x = _sparse_features()
    assert SparseInputDropout(0.5).eval()(x) is x
    assert SparseInputDropout(0.0).train()(x) is x


def test_dense_input_takes_plain_dropout():
    torch.manual_seed(0)
    x = torch.rand(200, 100) + 0.5  # no zeros
    out = SparseInputDropout(0.5).train()(x)
    dropped = (out == 0).float().mean().item()
    assert 0.45 < dropped < 0.55
    torch.testing.assert_close(out[out != 0], x[out != 0] * 2)


def test_bad_probability():
    with pytest.raises(ValueError, match=r'p must be in \[0, 1\)'):
        SparseInputDropout(1.0)
