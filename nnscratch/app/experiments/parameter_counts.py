"""The parameter counts of 002 Example 6.1's MNIST networks, counted on the built models."""
from __future__ import annotations

from ...models import mlp
from .plotting import plt, savefig
from .registry import Config, Expect, Result, experiment


@experiment("mnist-parameter-counts", source="002 Example 6.1",
            summary="784-10 logistic regression has 7,850 parameters; the 784-200-10 network "
                    "159,010")
def mnist_parameter_counts(cfg: Config) -> Result:
    """002 Example 6.1 counts the parameters of the two MNIST models: logistic regression
    ``W ∈ R^{784×10}, b ∈ R^10``, "in total 784·10 + 10 = 7850 parameters", and the two-layer
    network with U = 200 hidden units, "a model with ... = 159 010 parameters".  We build both
    with ``models.mlp`` and count ``numel()`` over ``parameters()``.  (The slide's sum is
    printed as 784·200 + 200·200 + 200·10 + 10, which is 198,810; the total 159,010 is
    784·200 + 200 + 200·10 + 10, the second term being b^(1)'s 200 entries.)
    """
    models = {"logistic": mlp([784, 10]), "two-layer": mlp([784, 200, 10])}
    counts = {k: sum(p.numel() for p in m.parameters()) for k, m in models.items()}
    per_tensor = {k: [(n, tuple(p.shape), p.numel()) for n, p in m.named_parameters()]
                  for k, m in models.items()}
    fig, ax = plt.subplots(figsize=(7, 3.5))
    left = 0
    for k, rows in per_tensor.items():
        left = 0
        for n, shape, c in rows:
            ax.barh(k, c, left=left, edgecolor="k")
            ax.text(left + c / 2, k, f"{n}\n{shape}", ha="center", va="center",  # type: ignore[arg-type]
                    fontsize=7)
            left += c
        ax.text(left, k, f"  {counts[k]:,}", va="center")  # type: ignore[arg-type]  # a category
    ax.set(xlabel="parameters", title="002 Example 6.1: parameter counts")
    ax.set_xlim(0, 1.25 * max(counts.values()))
    fig_path = savefig(fig, cfg.figure("mnist_parameter_counts"))
    place = "text: 002 Example 6.1"
    return Result(
        metrics={"logistic_parameters": counts["logistic"],
                 "two_layer_parameters": counts["two-layer"]},
        expected={"logistic_parameters": Expect("==", 7850, "784·10 + 10", source=place),
                  "two_layer_parameters": Expect("==", 159010, "784·200 + 200 + 200·10 + 10",
                                                 source=place)},
        figures=[fig_path], headline="two_layer_parameters",
        tables={k: [{"name": n, "shape": str(s), "count": c} for n, s, c in rows]
                for k, rows in per_tensor.items()})
