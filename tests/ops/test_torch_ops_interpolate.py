"""F.interpolate against torch 2.13: every mode, ``size=``, integer and fractional
``scale_factor``, ``align_corners``, ``recompute_scale_factor``, up- and down-sampling;
values and gradients (float64 within 1e-12: the same weights, summed in another order), a
float32 row, a float64 gradient check per mode, and torch's refusals.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
from helpers.torch_parity import F, check_gradcheck, check_parity  # noqa: E402

R = np.random.default_rng(3)



def row(shape, **kw):
    name = "_".join(f"{k}={v}" for k, v in kw.items()) + f"_{'x'.join(map(str, shape))}"
    return name, (lambda m, x: F(m).interpolate(x, **kw)), shape


ROWS = [
    row((1, 2, 5), size=8, mode="nearest"),
    row((1, 2, 5), scale_factor=2, mode="nearest"),
    row((1, 2, 7), scale_factor=0.5, mode="nearest"),
    row((2, 1, 4, 5), scale_factor=1.7, mode="nearest"),
    row((2, 1, 4, 5), size=(3, 9), mode="nearest"),
    row((1, 1, 2, 3, 4), scale_factor=(2, 1.5, 0.5), mode="nearest"),
    row((1, 2, 5), size=8, mode="nearest-exact"),
    row((2, 1, 4, 5), scale_factor=0.6, mode="nearest-exact"),
    *[row((1, 2, 5), size=s, mode="linear", align_corners=a)
      for s in (1, 3, 8, 11) for a in (False, True)],
    row((1, 2, 6), scale_factor=1.5, mode="linear"),
    row((1, 2, 6), scale_factor=1.5, mode="linear", recompute_scale_factor=True),
    row((1, 2, 7), scale_factor=0.4, mode="linear", align_corners=True),
    *[row((2, 2, 4, 5), size=s, mode=md, align_corners=a)
      for s in ((7, 3), (8, 10), (1, 1), (4, 5)) for md in ("bilinear", "bicubic")
      for a in (False, True)],
    row((1, 1, 4, 5), scale_factor=2.5, mode="bilinear"),
    row((1, 1, 4, 5), scale_factor=(0.5, 1.3), mode="bicubic"),
    row((1, 1, 4, 5), scale_factor=3, mode="bicubic", align_corners=True),
    row((1, 1, 3, 4, 2), size=(5, 2, 3), mode="trilinear"),
    row((1, 1, 3, 4, 2), scale_factor=1.5, mode="trilinear", align_corners=True),
    row((1, 2, 6, 7), size=(3, 4), mode="area"),
    row((1, 2, 9), scale_factor=0.5, mode="area"),
]


@pytest.mark.parametrize("fn, shape", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_matches_torch(fn, shape):
    check_parity(fn, [R.standard_normal(shape)])


@pytest.mark.parametrize("mode, shape", [("nearest", (1, 1, 5)), ("linear", (1, 2, 5)),
                                         ("bilinear", (1, 1, 4, 5)), ("bicubic", (1, 1, 4, 5)),
                                         ("trilinear", (1, 1, 2, 3, 2)), ("area", (1, 1, 6, 4))])
def test_float32_and_gradcheck(mode, shape):
    fn = (lambda m, x: F(m).interpolate(x, scale_factor=1.5, mode=mode)) if mode != "area" \
        else (lambda m, x: F(m).interpolate(x, size=(4, 3), mode=mode))
    check_parity(fn, [R.standard_normal(shape).astype(np.float32)], rtol=1e-5, atol=1e-6)
    check_gradcheck(fn, [R.standard_normal(shape)])


REFUSED = [
    lambda m: F(m).interpolate(m.ones(1, 1, 4), size=3, mode="bilinear"),
    lambda m: F(m).interpolate(m.ones(1, 1, 4, 4), size=3, mode="linear"),
    lambda m: F(m).interpolate(m.ones(1, 1, 4), size=3, scale_factor=2.0),
    lambda m: F(m).interpolate(m.ones(1, 1, 4), mode="nearest"),
    lambda m: F(m).interpolate(m.ones(1, 1, 4), size=3, mode="nearest", align_corners=True),
    lambda m: F(m).interpolate(m.ones(1, 1, 4), size=3, mode="cubic"),
]


@pytest.mark.parametrize("call", REFUSED, ids=range(len(REFUSED)))
def test_refusals_have_torchs_type(call):
    with pytest.raises((ValueError, NotImplementedError, RuntimeError)) as e:
        call(torch)
    with pytest.raises(e.type):
        import nnscratch as ns
        call(ns)
