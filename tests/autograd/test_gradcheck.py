"""ns.gradcheck itself: it accepts a correct VJP and pinpoints a wrong one."""
import re

import numpy as np
import pytest

import nnscratch as ns
from nnscratch.autograd import defvjp, fused, primitive


@primitive
def cube(x):
    return x ** 3
defvjp(cube, lambda g, out, x: g * 3 * x * x)


@primitive
def cube_wrong(x):
    return x ** 3
defvjp(cube_wrong, lambda g, out, x: g * 3 * x)          # deliberately wrong: misses a factor x


@primitive
def scaled_sum(x, y):
    return x * 2 + y
defvjp(scaled_sum, lambda g, out, x, y: g * 2,
                   lambda g, out, x, y: g * 2)             # wrong for the second input only


@fused
def swapped_mean(x):
    # wrong only for a random cotangent: g.mean() is right when the cotangent is all ones
    return x * 1.0, lambda g: (np.full_like(x, g.mean()),)


def test_correct_primitive_passes():
    x = np.random.default_rng(0).standard_normal((3, 4))
    assert ns.gradcheck(cube, [x]) is True


def test_wrong_vjp_raises_naming_input_index_and_values():
    x = np.array([[0.5, -1.5], [2.0, 1.0]])
    with pytest.raises(ns.GradcheckError) as err:
        ns.gradcheck(cube_wrong, [x])
    msg = str(err.value)
    m = re.search(r"input 0, index \((\d+), (\d+)\): analytic (\S+) != numeric (\S+)", msg)
    assert m, msg
    i, j = int(m.group(1)), int(m.group(2))
    analytic, numeric = float(m.group(3)), float(m.group(4))
    # the two values are the broken and the true derivative at that element, for the same
    # cotangent: their ratio is exactly x (3x vs 3x^2)
    assert numeric == pytest.approx(analytic * x[i, j], rel=1e-6)


def test_names_the_second_input_when_only_it_is_wrong():
    rng = np.random.default_rng(1)
    with pytest.raises(ns.GradcheckError, match=r"input 1, index \(0,\)"):
        ns.gradcheck(scaled_sum, [rng.standard_normal(3), rng.standard_normal(3)])


def test_random_cotangent_catches_vjp_right_only_on_average():
    x = np.random.default_rng(2).standard_normal((2, 3))
    # with a cotangent of ones this VJP is correct; gradcheck must still reject it
    xt = ns.tensor(x, requires_grad=True)
    swapped_mean(xt).sum().backward()
    np.testing.assert_allclose(xt.grad, np.ones_like(x))
    with pytest.raises(ns.GradcheckError):
        ns.gradcheck(swapped_mean, [x])


def test_non_contiguous_input_is_perturbed_in_place():
    x = ns.tensor(np.random.default_rng(3).standard_normal((3, 4)).T, requires_grad=True)
    assert ns.gradcheck(lambda t: t * t.exp(), [x])


def test_rejects_float32_and_no_grad_inputs():
    with pytest.raises(TypeError, match="input 0 has dtype float32"):
        ns.gradcheck(cube, [ns.ones(2, requires_grad=True)])
    with pytest.raises(ValueError, match="no input requires grad"):
        ns.gradcheck(cube, [ns.ones(2, dtype=np.float64)])


def test_constant_fn_has_zero_gradient():
    assert ns.gradcheck(lambda t: ns.ones(3, dtype=np.float64), [np.ones(2)])
    with pytest.raises(ns.GradcheckError, match="analytic 0 != numeric"):
        ns.gradcheck(lambda t: ns.tensor(t.numpy() * 2), [np.ones(2)])   # a detached path


def test_fn_must_return_a_tensor():
    with pytest.raises(TypeError, match="fn must return a Tensor"):
        ns.gradcheck(lambda t: t.numpy() * 2, [np.ones(2)])


def test_leaves_inputs_unchanged_and_grad_mode_on():
    x = np.linspace(-1, 1, 5)
    xt = ns.tensor(x, requires_grad=True)
    ns.gradcheck(lambda t: t.tanh(), [xt])
    np.testing.assert_array_equal(xt.numpy(), x)
    assert ns.is_grad_enabled()


def test_vjp_receives_the_forwards_defaults():
    # the VJP declares no default: it is handed the forward's k=2.0 when the caller omits k
    @primitive
    def scale(x, k=2.0):
        return x * k
    defvjp(scale, lambda g, out, x, k: g * k)
    x = ns.tensor(np.arange(3.0), requires_grad=True)
    scale(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])
    x.grad = None
    scale(x, 5.0).sum().backward()          # passed positionally: not overridden by the default
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0, 5.0])


def test_vjp_default_that_drifts_from_the_forward_is_rejected_at_registration():
    @primitive
    def scale(x, k=2.0):
        return x * k
    with pytest.raises(TypeError, match=r"defvjp\(scale\).*k=3\.0.*k=2\.0"):
        defvjp(scale, lambda g, out, x, k=3.0: g * k)
