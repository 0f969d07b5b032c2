"""The synthetic removal cases: ground truth that is exact and the same for a seed."""
import numpy as np

from evals.synthetic import BACKGROUNDS, SHAPES, removal_cases


def test_cases_are_exact_and_deterministic():
    cases = removal_cases(12, seed=3)
    again = removal_cases(12, seed=3)
    assert [c.id for c in cases] == [c.id for c in again]
    assert {c.photo for c in cases} == set(BACKGROUNDS) and {c.shape for c in cases} == set(SHAPES)
    for c, d in zip(cases, again):
        assert np.array_equal(c.image, d.image) and c.box == d.box
        assert c.image.dtype == np.uint8 and c.mask.dtype == bool and c.image.shape == c.clean.shape
        changed = np.any(c.image != c.clean, axis=2)
        assert not changed[~c.mask].any()  # only the paste mask differs from the clean photo
        assert changed[c.mask].mean() > 0.8  # and the object really covers it
        x, y, w, h = c.box
        inside = np.zeros_like(c.mask)
        inside[y : y + h, x : x + w] = True
        assert c.mask.any() and not (c.mask & ~inside).any()  # the box holds the whole object
        assert 0.25 < c.mask.sum() / (w * h) < 0.95


def test_another_seed_gives_other_cases():
    a, b = removal_cases(4, seed=0), removal_cases(4, seed=1)
    assert any(x.box != y.box for x, y in zip(a, b))
