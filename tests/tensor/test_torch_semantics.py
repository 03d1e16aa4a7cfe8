"""torch's Tensor semantics, side by side with torch: ``.data``/``.grad`` as tensors, in-place
ops and their autograd errors, version counters and views, dtype promotion, ``size()``,
``max(dim)``, ``transpose``/``permute``, the recurrent layers' default layout, hooks,
``autograd.grad`` and ``autograd.Function``.

Each test runs the same program on both libraries (``lib`` is ``nnscratch`` or ``torch``) and
compares what they do — values, gradients, or the exception they raise.
"""
import numpy as np
import pytest
import torch
from conftest import assert_ulp_close

import nnscratch as ns
import nnscratch.nn as nn

LIBS = [ns, torch]


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)


def _both(program):
    """Run ``program(lib)`` on nnscratch and torch; return both results."""
    return program(ns), program(torch)


# ------------------------------------------------------------------ .data and .grad
def test_data_is_a_detached_tensor_on_the_same_memory():
    for lib in LIBS:
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        d = p.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad
        d.mul_(3)                                      # no leaf error: .data is detached
        assert p.tolist() == [3.0, 6.0]                # ... and shares p's memory
        assert p._version == 0                         # and its own version counter
        p.data = lib.tensor([5.0, 5.0, 5.0])           # swap the values (any shape)
        assert p.shape == (3,) and p.requires_grad


def test_grad_is_a_tensor_and_accumulates_in_place():
    def program(lib):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        (x * x).sum().backward()
        g = x.grad
        assert isinstance(g, lib.Tensor) and not g.requires_grad
        (x * 3).sum().backward()
        assert x.grad is g                             # accumulated into the same tensor
        out = x.grad.numpy().copy()
        x.grad.zero_()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
        return out
    ours, theirs = _both(program)
    np.testing.assert_array_equal(ours, theirs)        # 2x + 3: exact small integers


def test_manual_sgd_with_in_place_updates_trains_like_torch():
    """``with no_grad(): p -= lr * p.grad`` and ``p.data.add_(p.grad, alpha=-lr)``."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1))
    w0 = rng.standard_normal((1, 3))

    def program(lib, style):
        w = lib.tensor(w0, requires_grad=True)
        b = lib.zeros(1, dtype=lib.float64, requires_grad=True)
        Xt, yt = lib.tensor(X), lib.tensor(y)
        losses = []
        for _ in range(20):
            loss = ((Xt @ w.t() + b - yt) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            if style == "isub":
                with lib.no_grad():
                    for p in (w, b):
                        p -= 0.1 * p.grad
                        p.grad.zero_()
            else:
                for p in (w, b):
                    p.data.add_(p.grad, alpha=-0.1)
                    p.grad = None
        return np.array(losses)
    for style in ("isub", "data"):
        ours, theirs = program(ns, style), program(torch, style)
        assert ours[-1] < 0.5 * ours[0]                # it trains
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ------------------------------------------------------------------ in-place autograd errors
def _error(fn):
    try:
        fn()
    except Exception as e:   # noqa: BLE001  (the type is what is compared)
        return type(e), str(e)
    return None, ""


@pytest.mark.parametrize("case", ["leaf", "leaf_view", "saved_input", "saved_output",
                                  "iadd_leaf"])
def test_in_place_misuse_raises_where_torch_raises(case):
    def program(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        if case == "leaf":
            return _error(lambda: w.add_(1))
        if case == "leaf_view":
            return _error(lambda: w[0:2].mul_(2))
        if case == "iadd_leaf":
            def f():
                w.__iadd__(1.0)
            return _error(f)
        if case == "saved_input":                     # mul saved a; a changes before backward
            a = w * 2
            z = (a * w).sum()
            a.add_(1)
            return _error(z.backward)
        y = w.exp()                                   # exp saved its output
        y.add_(1)
        return _error(lambda: y.sum().backward())
    (ours, msg), (theirs, _) = _both(program)
    assert theirs is RuntimeError and ours is RuntimeError, (ours, msg)
    if case.startswith("saved"):
        assert "modified by an inplace operation" in msg
    else:
        assert "leaf Variable that requires grad" in msg


def test_in_place_where_torch_allows_it_gives_torch_gradients():
    """In-place on non-leaf tensors whose old values no node needs: recorded, same grads."""
    def program(lib):
        x = lib.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
        w = lib.tensor(np.arange(6.0).reshape(2, 3) / 5, requires_grad=True)
        a = x + 1.0                     # add saves nothing
        s = a.sigmoid()                 # sigmoid saves its output, not a
        a.mul_(w)                       # so a may change
        a += s
        a[0, 1] = 7.0                   # index_put_
        a.relu_()                       # relu saves its output: a stays as it is from here
        h = a.clone()
        h.masked_fill_(h > 1.0, 0.0)
        (h * h).sum().backward()
        return _np(h), _np(x.grad), _np(w.grad)
    ours, theirs = _both(program)
    for o, t in zip(ours, theirs):
        assert_ulp_close(o, t, ulps=8)


def test_in_place_on_a_view_in_a_graph_is_a_clear_error_not_a_wrong_gradient():
    x = ns.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(NotImplementedError, match="view of a tensor that autograd records"):
        y[0:2].add_(1)


def test_views_share_the_version_counter():
    for lib in LIBS:
        base = lib.zeros(2, 3)
        v = base.view(6)
        t = base.transpose(0, 1)
        d = base.detach()
        v.add_(1)
        assert base._version == v._version == t._version == d._version == 1
        assert base.sum().item() == 6.0 and t[2, 1].item() == 1.0


def test_optimizer_step_bumps_the_version_so_stale_graphs_refuse_to_backward():
    for lib in LIBS:
        w = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SGD([w], lr=0.1)
        loss = (w * w).sum()
        (w * w).sum().backward()
        opt.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


# ------------------------------------------------------------------ dtypes and promotion
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"]


def _operand(lib, kind, dtype):
    if kind == "scalar":
        return {"bool": True, "float32": 2.5, "float64": 2.5}.get(dtype, 2)
    shape = (2,) if kind == "tensor" else ()
    return lib.ones(shape, dtype=getattr(lib, dtype))


@pytest.mark.parametrize("op", ["add", "mul", "div", "pow"])
@pytest.mark.parametrize("kinds", [("tensor", "tensor"), ("tensor", "zero_dim"),
                                   ("zero_dim", "tensor"), ("tensor", "scalar"),
                                   ("zero_dim", "scalar")])
def test_type_promotion_table_matches_torch(op, kinds):
    fn = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
          "pow": lambda a, b: a ** b}[op]
    mismatches = []
    for da in DTYPES:
        for db in (DTYPES if kinds[1] != "scalar" else ["bool", "int64", "float64"]):
            if op == "pow" and "bool" in (da, db):
                continue                               # torch has no bool pow
            a_t, b_t = _operand(torch, kinds[0], da), _operand(torch, kinds[1], db)
            try:
                expected = fn(a_t, b_t).dtype
            except RuntimeError:
                continue
            got = fn(_operand(ns, kinds[0], da), _operand(ns, kinds[1], db)).dtype
            if str(expected).replace("torch.", "") != got.name:
                mismatches.append((da, db, str(expected), got.name))
    assert not mismatches, mismatches


def test_dtype_objects_equal_numpy_and_float32_pow_int64_stays_float32():
    assert ns.float32 == np.float32 and ns.float is ns.float32 and ns.double == np.float64
    assert ns.long == np.int64 and ns.int == np.int32 and ns.bool == np.bool_
    x = ns.ones(3, dtype=ns.float32) ** ns.tensor([1, 2, 3])
    t = torch.ones(3) ** torch.tensor([1, 2, 3])
    assert x.dtype == np.float32 and t.dtype == torch.float32          # NumPy alone: float64
    assert (ns.tensor([1, 2]) / ns.tensor([2, 2])).dtype == ns.float32   # true division


# ------------------------------------------------------------------ shapes and reductions
def test_size_numel_dim_max_transpose_permute_as_torch():
    a = np.arange(24.0).reshape(2, 3, 4) % 5
    for lib in LIBS:
        t = lib.tensor(a)
        assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
        assert t.numel() == 24 and t.dim() == 3
        values, indices = t.max(dim=2)
        np.testing.assert_array_equal(_np(values), a.max(2))
        np.testing.assert_array_equal(_np(indices), a.argmax(2))
        assert t.max(1, keepdim=True).values.shape == (2, 1, 4)
        assert t.transpose(0, 2).shape == (4, 3, 2) and t.permute(2, 0, 1).shape == (4, 2, 3)
        assert t.sum(dim=(0, 2), keepdim=True).shape == (1, 3, 1)
        assert t.argmax(dim=1, keepdim=True).shape == (2, 1, 4)
    t = ns.tensor(a)
    with pytest.raises(NotImplementedError, match="reinterpreting"):
        t.view(ns.int64)                   # torch reinterprets bits: never a silent conversion
    assert t.sum(axis=0).shape == (3, 4) and t.mean(axis=1, keepdims=True).shape == (2, 1, 4)


def test_recurrent_layers_default_to_time_major_as_torch():
    x = np.random.default_rng(0).standard_normal((7, 2, 3))    # (T, N, input_size)
    for kind in ("RNN", "LSTM", "GRU"):
        ours, theirs = getattr(nn, kind)(3, 4), getattr(torch.nn, kind)(3, 4).double()
        assert ours.batch_first is False
        ours = ours.double()
        with torch.no_grad():
            for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
                q.copy_(torch.from_numpy(p.numpy()))
        out, _ = ours(ns.tensor(x))
        tout, _ = theirs(torch.tensor(x))
        np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10)


# ------------------------------------------------------------------ hooks and autograd API
def test_hooks_retain_grad_and_autograd_grad_match_torch():
    def program(lib):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x.tanh()
        y.retain_grad()
        seen = []
        y.register_hook(lambda g: seen.append(_np(g).copy()))
        x.register_hook(lambda g: g * 2)               # replaces the leaf's gradient
        z = (y * y).sum()
        (gx,) = lib.autograd.grad(z, x, retain_graph=True)
        z.backward()
        return _np(gx), _np(x.grad), _np(y.grad), seen[-1]
    ours, theirs = _both(program)
    for o, t in zip(ours, theirs):
        assert_ulp_close(o, t)


def test_custom_autograd_function_matches_torch():
    def program(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                ctx.k = k
                return x ** 3 * k

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * 3 * x ** 2 * ctx.k, None
        x = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        y = Cube.apply(x, 0.5)
        (y * lib.tensor([1.0, 3.0], dtype=lib.float64)).sum().backward()
        return _np(y), _np(x.grad)
    ours, theirs = _both(program)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)              # small exact binary fractions


@pytest.mark.parametrize("arity", [1, 2])
def test_function_returning_a_tuple_reads_each_gradient_as_torch(arity):
    """A forward returning a 1-tuple got its gradient read element by element (the engine
    hands a one-output node its gradient bare): x.grad was 2x instead of 2x·w.  Compared
    with torch, first and second derivatives (float64, exact small binary fractions)."""
    def program(lib):
        class Squares(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return (x * x,) if arity == 1 else (x * x, x * 4)

            @staticmethod
            def backward(ctx, *gs):
                (x,) = ctx.saved_tensors
                return 2 * x * gs[0] + (4 * gs[1] if arity == 2 else 0)
        x = lib.tensor([1.0, 2.0, -3.0], dtype=lib.float64, requires_grad=True)
        outs = Squares.apply(x)
        w = lib.tensor([1.0, 10.0, 100.0], dtype=lib.float64)
        loss = sum((o * w * (i + 1)).sum() for i, o in enumerate(outs))
        (gx,) = lib.autograd.grad(loss, x, create_graph=True)
        (ggx,) = lib.autograd.grad((gx * w).sum(), x)
        return _np(outs[0]), _np(gx), _np(ggx)
    ours, theirs = _both(program)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)


@pytest.mark.parametrize("name", ["grad_mode", "core", "graph", "declare"])
def test_engine_is_a_leaf_with_no_import_circle(name):
    """The engine's files import nothing else from nnscratch but each other, the dtypes and
    the device (a block under ``if TYPE_CHECKING:`` is read by type checkers only)."""
    import ast
    import importlib
    import inspect

    module = importlib.import_module(f"nnscratch.autograd.{name}")
    tree = ast.parse(inspect.getsource(module))
    for block in [n for n in ast.walk(tree) if isinstance(n, ast.If)
                  and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING"]:
        block.body = []                    # never executed
    engine = {"grad_mode", "core", "graph", "declare"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            ok = (node.level == 1 and (mod in engine or not mod)
                  and all(a.name in engine for a in node.names if not mod)) \
                or (node.level == 2 and mod in ("dtype", "device")) \
                or (node.level == 0 and not mod.startswith("nnscratch"))
            assert ok, f"{name} imports {'.' * node.level}{mod}"


def test_tensor_refuses_none_complex_ragged_and_a_non_bool_requires_grad():
    """Issue 17 item 9: these were silently tensor(nan), complex, or truthy strings."""
    with pytest.raises(TypeError, match="got None"):
        ns.tensor(None)
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        ns.tensor([1 + 2j], requires_grad=True)
    with pytest.raises(TypeError, match="complex numbers are not supported"):
        ns.tensor(np.array([1j]))
    with pytest.raises(TypeError, match="requires_grad must be a bool, got 'yes'"):
        ns.tensor([1.0], requires_grad="yes")
    with pytest.raises(TypeError, match="non-ragged"):
        ns.tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="requires_grad=True needs a floating dtype"):
        ns.tensor([1, 2], requires_grad=True)


def test_legacy_new_constructor_as_torch():
    """``Tensor.new`` (torch's legacy constructor, in pytorch/examples' older programs): sizes,
    a Size, data, another tensor (shared memory) or nothing, always in the tensor's dtype;
    ours fills with zeros where torch leaves memory uninitialised."""
    for dt, tdt in ((ns.float64, torch.float64), (ns.float32, torch.float32)):
        x, tx = ns.ones(2, dtype=dt), torch.ones(2, dtype=tdt)
        cases = [((), ()), ((2, 3), (2, 3)), ((ns.Size([2, 3]),), (torch.Size([2, 3]),)),
                 (([1, 2],), ([1, 2],)), (((1.5, 2),), ((1.5, 2),))]
        for ours_args, torch_args in cases:
            a, b = x.new(*ours_args), tx.new(*torch_args)
            assert a.shape == tuple(b.shape) and str(a.dtype).endswith(str(b.dtype)[6:])
            assert not a.requires_grad and not b.requires_grad
            if ours_args and not isinstance(ours_args[0], (int, ns.Size)):
                np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert not x.new(2, 3).numpy().any()                       # zeros, no garbage
        t = ns.tensor([1.0, 2.0], dtype=dt)
        shared = x.new(t)
        shared[0] = 5.0
        assert t.tolist() == [5.0, 2.0]                             # torch shares it too
        with pytest.raises(TypeError):
            tx.new(torch.tensor([1, 2]))
        with pytest.raises(TypeError, match="dtype"):
            x.new(ns.tensor([1, 2]))
    assert not ns.ones(3).new_empty(2, 2).numpy().any()             # as ns.empty: zeros
