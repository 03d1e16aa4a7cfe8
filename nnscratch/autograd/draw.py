"""Draw the recorded computation graph of a tensor, as micrograd's ``draw_dot`` does.

``backward`` walks the graph that the forward pass recorded: each op is a :class:`~.engine.Node`
whose parents are either leaf tensors (inputs and parameters) or ``_Edge`` links to the node that
made a non-leaf input.  :func:`draw_graph` walks the same structure from the output back to the
leaves and writes it as Graphviz DOT text:

* a box per leaf tensor (its name, shape, value when it is small, and gradient if it has one),
* an ellipse per recorded op (``mul``, ``matmul``, ``cross_entropy`` …),
* an arrow from each input to the op that read it, labelled with the shape that flowed along it,
* a box for the output itself.

``backward()`` frees the graph as it goes (as torch does): draw before it, or call
``backward(retain_graph=True)`` to draw the gradients too.  Only inputs that need a gradient
are recorded (constants are not part of the graph), so they are not drawn.  The DOT text needs
nothing to be produced; turning it into a picture needs the Graphviz ``dot`` program, used when
it is installed (``_repr_svg_`` shows the drawing in Jupyter).
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np

from ..tensor import Tensor


def _fmt(array, limit):
    """A short text for a small array (its values), or None when it has more than ``limit``."""
    a = np.asarray(array)
    if a.size > limit:
        return None
    if a.ndim == 0:
        return f"{a.item():.4g}"
    return np.array2string(a, precision=3, separator=", ", threshold=limit).replace("\n", "")


def _shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


class Graph:
    """A drawn computation graph: ``nodes`` and ``edges`` as Python data, ``source`` as DOT.

    ``nodes`` maps each DOT id to ``{"kind": "tensor" | "op" | "output", "label": str}``;
    ``edges`` is a list of ``(from_id, to_id, label)`` in the order they were found.  In Jupyter
    the graph shows as an SVG picture when Graphviz's ``dot`` program is installed, and as its
    DOT source otherwise.
    """

    def __init__(self, nodes, edges, rankdir):
        self.nodes = nodes
        self.edges = edges
        self.rankdir = rankdir

    @property
    def source(self) -> str:
        """The graph in the DOT language (render it with ``dot -Tsvg``)."""
        lines = ["digraph computation {", f"  rankdir={self.rankdir};",
                 '  node [fontname="Helvetica", fontsize=11];',
                 '  edge [fontname="Helvetica", fontsize=9];']
        style = {"tensor": 'shape=record, style=filled, fillcolor="#e8f0fe"',
                 "output": 'shape=record, style=filled, fillcolor="#fde8e8"',
                 "op": 'shape=ellipse, style=filled, fillcolor="#f4f4f4"'}
        for key, node in self.nodes.items():
            label = node["label"]
            if node["kind"] != "op":                # record fields: escape the separators
                label = "{" + " | ".join(f.replace("{", r"\{").replace("}", r"\}")
                                         .replace("|", r"\|").replace("<", r"\<")
                                         .replace(">", r"\>") for f in label.split("\n")) + "}"
            lines.append(f"  {key} [label={_quote(label)}, {style[node['kind']]}];")
        for a, b, label in self.edges:
            lines.append(f"  {a} -> {b}" + (f" [label={_quote(label)}]" if label else "") + ";")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def pipe(self, format: str = "svg") -> bytes:
        """Render with Graphviz's ``dot`` program (``format``: svg, png, pdf …)."""
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError("draw_graph: rendering needs Graphviz's 'dot' program, which is "
                               "not installed (apt-get install graphviz); the DOT text is in "
                               ".source")
        done = subprocess.run([dot, f"-T{format}"], input=self.source.encode(),
                              capture_output=True, check=True, timeout=60)
        return done.stdout

    def save(self, path) -> None:
        """Write ``path``: DOT text for ``.dot``/``.gv``, otherwise the picture ``dot`` makes of
        it in the format named by the extension (``graph.svg``, ``graph.png``)."""
        path = str(path)
        ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if ext in ("dot", "gv"):
            with open(path, "w") as f:
                f.write(self.source)
            return
        if not ext:
            raise ValueError(f"draw_graph: save path must end in .dot, .gv, .svg, .png …; "
                             f"got {path!r}")
        with open(path, "wb") as f:
            f.write(self.pipe(ext))

    def _repr_svg_(self):
        if shutil.which("dot") is None:
            return None                     # Jupyter then shows the text repr: the DOT source
        return self.pipe("svg").decode()

    def __repr__(self):
        return self.source


def _leaf_titles(output, names, rankdir) -> dict:
    """draw_graph's arguments checked; ``{id(tensor): its name}`` from ``names``."""
    if not isinstance(output, Tensor):
        raise TypeError(f"draw_graph: output must be a Tensor; got {type(output).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'TB', 'RL' or 'BT'; got {rankdir!r}")
    if names is None:
        names = {}
    if not isinstance(names, dict) or not all(isinstance(t, Tensor) for t in names.values()):
        raise TypeError("draw_graph: names must be a dict {name: Tensor}")
    return {id(t): str(n) for n, t in names.items()}


def _tensor_label(t, title: str, max_values: int) -> str:
    """A tensor node's label: its title and shape, and its values and gradient when it has at
    most ``max_values`` elements (a gradient too large to show is marked ✓)."""
    fields = [title, f"shape {_shape(t.shape)}"]
    value = _fmt(t._data, max_values)
    if value is not None:
        fields.append(f"data {value}")
    if t._grad is not None:
        grad = _fmt(t._grad._data, max_values)
        fields.append(f"grad {grad}" if grad is not None else "grad ✓")
    return "\n".join(fields)


def draw_graph(output, names=None, rankdir: str = "LR", max_values: int = 4) -> Graph:
    """The computation graph that ``output.backward()`` would walk, drawn as DOT.

    Args:
        output: a Tensor produced by differentiable ops (typically a loss).
        names: optional ``{name: tensor}`` (e.g. ``dict(model.named_parameters())``) used to
            label leaf tensors; unnamed leaves are labelled by their shape.
        rankdir: Graphviz layout direction, ``"LR"`` (inputs on the left, default) or ``"TB"``.
        max_values: tensors with at most this many elements show their values (and gradients).

    Returns:
        a :class:`Graph` with ``.source`` (DOT text), ``.nodes``, ``.edges``, ``.save(path)``,
        and an SVG picture in Jupyter when Graphviz is installed.

    Example:
        >>> x = ns.tensor(2.0, requires_grad=True); y = (x * x + x).sum()
        >>> print(ns.draw_graph(y, names={"x": x}).source)      # doctest: +SKIP
    """
    label_of = _leaf_titles(output, names, rankdir)
    nodes: dict = {}
    edges: list = []

    def tensor_label(t, title):
        return _tensor_label(t, title, max_values)

    leaf_ids: dict = {}

    def leaf_id(t):
        if id(t) not in leaf_ids:
            leaf_ids[id(t)] = f"t{len(leaf_ids)}"
            nodes[leaf_ids[id(t)]] = {"kind": "tensor",
                                      "label": tensor_label(t, label_of.get(id(t), "leaf"))}
        return leaf_ids[id(t)]

    op_ids: dict = {}
    out_key = "out"
    nodes[out_key] = {"kind": "output",
                      "label": tensor_label(output, label_of.get(id(output), "output"))}
    root = output._node
    if root is None:                       # a leaf: nothing was recorded
        return Graph(nodes, edges, rankdir)

    def op_id(node):
        if id(node) not in op_ids:
            op_ids[id(node)] = f"op{len(op_ids)}"
            nodes[op_ids[id(node)]] = {"kind": "op", "label": node.name}
        return op_ids[id(node)]

    edges.append((op_id(root), out_key, _shape(output.shape)))
    stack, seen = [root], {id(root)}
    while stack:                           # iterative: a 10,000-op chain is fine
        node = stack.pop()
        if node.vjp is None:
            raise RuntimeError("draw_graph: backward() has already freed this graph; draw it "
                               "before calling backward(), or call backward(retain_graph=True)")
        here = op_id(node)
        for p in node.parents:
            if p is None:                  # an input that needs no gradient: not recorded
                continue
            if p._node is None:            # a leaf Tensor
                edges.append((leaf_id(p), here, ""))
                continue
            child = p._node
            label = _shape(p._shape)
            if len(child.grads) > 1:
                label += f" [{p._index}]"
            edges.append((op_id(child), here, label))
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return Graph(nodes, edges, rankdir)

