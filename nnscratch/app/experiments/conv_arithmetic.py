"""The ConvNet arithmetic of 001 ch. 9, number by number: the output-size and parameter-count
formulas (§9.5), the pooling formula (§9.9), the im2col example 227 → 55 (§9.7) and the three
convolutions of backpropagation (§9.6, eq. 9.7).  Each number the text prints is checked
against what nnscratch's layers do; the convolutions against SciPy's."""
from __future__ import annotations

import numpy as np

from ... import nn
from ... import random as nsrandom
from ...autograd import no_grad
from ...nn import functional as F
from ...ops.im2col import im2col
from ...tensor import tensor
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


def _size(w1, k, p, s):
    """001 §9.5: W2 = (W1 - K + 2P)/S + 1 (floor when S does not divide)."""
    return (w1 - k + 2 * p) // s + 1


@experiment("conv-arithmetic", source="001 §9.5-9.9",
            summary="output sizes, parameter counts, pooling sizes, the im2col example "
                    "227×227×3 → 55×55×96 and the backprop convolutions of eq. 9.7")
def conv_arithmetic(cfg: Config) -> Result:
    """* §9.5: a Conv2d(D1, F, K, stride S, padding P) on W1 × H1 gives W2 = (W1 - K + 2P)/S + 1
      and has K·K·D1·F weights and F biases: checked on a table of settings.
    * §9.9: MaxPool2d(K, S) gives (W1 - K)/S + 1 and no parameters; 2×2 at stride 2 keeps a
      quarter of the activations ("discarding 75 %").
    * §9.7: 227×227×3 with 96 filters 11×11×3 at stride 4: columns of 11·11·3 = 363,
      (227 - 11)/4 + 1 = 55 locations, Xcol 363 × 3025, Trow 96 × 363, Trow·Xcol 96 × 3025,
      reshaped to 55 × 55 × 96 — and it equals the layer's output.
    * §9.6, eq. 9.7: Z = X ⊗ Θ̄, δˡ = Θ̄ ⊗ δˡ⁺¹ (a full convolution with the filter),
      ∂E/∂Θ = X ⊗ δˡ⁺¹ (a correlation): autograd through Conv2d against SciPy's
      ``convolve2d``/``correlate2d``.
    """
    gen = nsrandom.rng(cfg.seed)
    settings = [(32, 3, 5, 0, 1, 8), (32, 3, 5, 2, 1, 8), (28, 1, 3, 1, 2, 16),
                (227, 3, 11, 0, 4, 4), (13, 16, 3, 1, 1, 4), (9, 2, 4, 0, 3, 3)]
    size_errors, param_errors, rows = 0, 0, []
    for w1, d1, k, p, s, f in settings:
        conv = nn.Conv2d(d1, f, k, stride=s, padding=p)
        with no_grad():
            out = conv(tensor(gen.standard_normal((1, d1, w1, w1)).astype(np.float32)))
        n_par = sum(int(np.prod(q.shape)) for q in conv.parameters())
        size_errors += out.shape[2:] != (_size(w1, k, p, s),) * 2 or out.shape[1] != f
        param_errors += n_par != k * k * d1 * f + f
        rows.append({"W1": w1, "D1": d1, "K": k, "P": p, "S": s, "F": f,
                     "W2 (formula)": _size(w1, k, p, s), "W2 (Conv2d)": out.shape[2],
                     "parameters (formula)": k * k * d1 * f + f, "parameters": n_par})
    pool_errors, kept = _pooling_sizes()

    xcol, trow, prod, out, im2col_gap, scipy_gap = _im2col_example(gen)

    xt, forward_gap, dx_gap, dw_gap = _backward_is_convolution(gen)

    fig_path = _conv_figure(xcol, out, xt, cfg)
    t95, t97, t99 = "text: 001 §9.5", "text: 001 §9.7", "text: 001 §9.9"
    return Result(
        metrics={"output_size_mismatches": int(size_errors),
                 "parameter_count_mismatches": int(param_errors),
                 "pool_size_mismatches": int(pool_errors), "pool_2x2_kept_fraction": kept,
                 "im2col_column_length": xcol.shape[0], "im2col_locations": xcol.shape[1],
                 "output_width": out.shape[3], "trow_shape": list(trow.shape),
                 "trow_rows": trow.shape[0], "trow_columns": trow.shape[1],
                 "product_rows": prod.shape[0], "product_columns": prod.shape[1],
                 "output_volume": int(np.prod(out.shape[1:])),
                 "im2col_product_minus_conv": im2col_gap, "conv_minus_scipy": scipy_gap,
                 "eq_9_7_forward_minus_scipy": forward_gap, "eq_9_7_delta_minus_scipy": dx_gap,
                 "eq_9_7_dtheta_minus_scipy": dw_gap},
        expected={"output_size_mismatches": Expect("==", 0, "W2 = (W1 - K + 2P)/S + 1",
                                                   source=t95),
                  "parameter_count_mismatches": Expect("==", 0, "K·K·D1·F weights + F biases",
                                                       source=t95),
                  "pool_size_mismatches": Expect("==", 0, "W2 = (W1 - K)/S + 1", source=t99),
                  "pool_2x2_kept_fraction": Expect("==", 0.25, "2×2 at stride 2 discards 75 %",
                                                   source=t99),
                  "im2col_column_length": Expect("==", 363, "11 × 11 × 3 = 363", source=t97),
                  "im2col_locations": Expect("==", 3025, "55 × 55 = 3025 columns", source=t97),
                  "output_width": Expect("==", 55, "(227 - 11)/4 + 1 = 55", source=t97),
                  "trow_rows": Expect("==", 96, "Trow is 96 × 363", source=t97),
                  "trow_columns": Expect("==", 363, "Trow is 96 × 363", source=t97),
                  "product_columns": Expect("==", 3025, "Trow·Xcol is 96 × 3025", source=t97),
                  "output_volume": Expect("==", 55 * 55 * 96, "reshaped to 55 × 55 × 96",
                                          source=t97),
                  "im2col_product_minus_conv": Expect("<=", 1e-4, "Trow·Xcol = the layer's "
                                                      "output (float32)", source="ours"),
                  "conv_minus_scipy": Expect("<=", 1e-4, "the layer = SciPy's correlate2d "
                                             "(float32)", source="ours: SciPy"),
                  "eq_9_7_forward_minus_scipy": Expect("<=", 1e-12, "Z = X ⊗ Θ̄",
                                                       source="ours: eq. 9.7 by SciPy"),
                  "eq_9_7_delta_minus_scipy": Expect("<=", 1e-12, "δˡ = Θ̄ ⊗ δˡ⁺¹, a full "
                                                     "convolution", source="ours: eq. 9.7 "
                                                     "by SciPy"),
                  "eq_9_7_dtheta_minus_scipy": Expect("<=", 1e-12, "∂E/∂Θ = X ⊗ δˡ⁺¹",
                                                      source="ours: eq. 9.7 by SciPy")},
        figures=[fig_path], headline="im2col_locations",
        tables={"Conv2d output sizes and parameters (001 §9.5)": rows})


def _pooling_sizes():
    """The pooling output sizes of 001 §9.9 (eq. 9.5 with the pool as the filter), and the share
    of AlexNet's first feature map a 2 × 2 pool keeps."""
    pool_errors = 0
    for w1, k, s in ((55, 2, 2), (55, 3, 2), (28, 2, 2), (13, 3, 2)):
        with no_grad():
            out = F.max_pool2d(tensor(np.ones((1, 2, w1, w1), np.float32)), k, s)
        pool_errors += out.shape[2] != (w1 - k) // s + 1
    with no_grad():
        pooled = F.max_pool2d(tensor(np.ones((1, 96, 54, 54), np.float32)), 2, 2)
    kept = pooled.numel() / (96 * 54 * 54)
    return pool_errors, kept


def _im2col_example(gen):
    """001 §9.7's im2col example: AlexNet's first layer as one matrix product, against the
    convolution and SciPy."""
    from scipy.signal import correlate2d
    # §9.7: the im2col example
    x = gen.standard_normal((1, 3, 227, 227)).astype(np.float32)
    conv = nn.Conv2d(3, 96, 11, stride=4)
    xcol = im2col(x, 11, stride=4)                       # (363, 3025)
    trow = conv.weight.numpy().reshape(96, -1)            # (96, 363)
    prod = trow @ xcol + conv.bias.numpy()[:, None]       # (96, 3025)
    with no_grad():
        out = conv(tensor(x)).numpy()                     # (1, 96, 55, 55)
    im2col_gap = float(np.abs(prod.reshape(96, 55, 55) - out[0]).max())
    # one filter by SciPy (correlation of each channel, summed, every 4th position)
    ref = sum(correlate2d(x[0, c], conv.weight.numpy()[0, c], "valid") for c in range(3))
    scipy_gap = float(np.abs(ref[::4, ::4] + conv.bias.numpy()[0] - out[0, 0]).max())
    return xcol, trow, prod, out, im2col_gap, scipy_gap


def _backward_is_convolution(gen):
    """001 §9.6, eq. 9.7 on one channel, stride 1, in float64: the forward pass is a
    correlation, ∂E/∂X a full convolution with the filter, ∂E/∂Θ a correlation with δ."""
    from scipy.signal import convolve2d, correlate2d
    # §9.6, eq. 9.7 on one channel, stride 1, in float64
    X = gen.standard_normal((9, 9))
    theta = gen.standard_normal((3, 3))
    delta = gen.standard_normal((7, 7))                   # δˡ⁺¹ = ∂E/∂Z
    xt = tensor(X[None, None], requires_grad=True)
    wt = tensor(theta[None, None], requires_grad=True)
    Z = F.conv2d(xt, wt)
    (Z * tensor(delta[None, None])).sum().backward()
    forward_gap = float(np.abs(Z.detach().numpy()[0, 0] - correlate2d(X, theta, "valid")).max())
    dx_gap = float(np.abs(xt.grad.numpy()[0, 0] - convolve2d(delta, theta, "full")).max())
    dw_gap = float(np.abs(wt.grad.numpy()[0, 0] - correlate2d(X, delta, "valid")).max())
    return xt, forward_gap, dx_gap, dw_gap


def _conv_figure(xcol, out, xt, cfg):
    """Xcol, one filter's output and δˡ of eq. 9.7."""
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    axes[0].imshow(xcol[:, :200], aspect="auto", cmap="gray")
    axes[0].set(title=f"Xcol: {xcol.shape[0]} × {xcol.shape[1]} (first 200 columns)",
                xlabel="receptive field", ylabel="11·11·3 pixels")
    axes[1].imshow(out[0, 0], cmap="coolwarm")
    axes[1].set(title=f"filter 1's output: {out.shape[2]} × {out.shape[3]}")
    axes[2].imshow(xt.grad.numpy()[0, 0], cmap="coolwarm")
    axes[2].set(title="δˡ = Θ̄ ⊗ δˡ⁺¹ (autograd)")
    return savefig(fig, cfg.figure("conv_arithmetic"))
