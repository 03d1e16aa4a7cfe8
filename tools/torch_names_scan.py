"""List the torch names that PyTorch's own example programs use, and nnscratch's status for each.

Usage::

    python tools/torch_names_scan.py CHECKOUT [CHECKOUT ...] [--out docs/torch-scan.md]
        [--tsv docs/torch-scan.tsv] [--missing FILE]

Each CHECKOUT is a local directory (a checkout of ``pytorch/examples``, or of
``pytorch/tutorials``' ``beginner_source``/``intermediate_source``/``recipes_source``).
Every ``*.py`` file under it is parsed with :mod:`ast` (a file that does not parse is
skipped and counted) and three kinds of name are collected:

* ``torch.X`` -- an attribute of the ``torch`` module, through any import alias
  (``import torch``, ``import torch as th``, ``from torch import X``); for the numerical
  sub-modules (``linalg``, ``fft``, ``special``, ``distributions``) the next attribute too;
* ``F.X`` -- an attribute of ``torch.nn.functional`` (``import torch.nn.functional as F``,
  ``from torch.nn import functional``, ``nn.functional.X``, ``from torch.nn.functional import X``);
* ``Tensor.X`` -- an attribute *call* ``expr.X(...)`` whose name is one of torch 2.13's
  ``Tensor`` methods and whose receiver is not a module alias.  This is a heuristic: the
  scanner does not infer types, so names that ``str``/``list``/``dict`` share with
  ``Tensor`` (``split``, ``sort``, ``index``, ``copy``, ``add`` ...) are over-counted.

The status is read from the nnscratch that is importable (``PYTHONPATH``): ``provided`` when
the attribute exists, ``excluded`` with the category when the name is outside the library's
scope (issue 32's categories), otherwise ``missing``.  ``needed`` marks the names the issue
asks for: used in at least two files, or in any beginner tutorial.  This is a tool, not a
test: it is not part of ``make test``.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from collections import defaultdict

NUMERIC_SUBMODULES = ("linalg", "fft", "special", "distributions")

# (category, predicate on the qualified name) -- the first match wins.
_DEVICE = ("cuda", "mps", "xpu", "mtia", "stream", "device", "pin_memory", "is_pinned",
           "accelerator", "get_device", "set_device", "to_mkldnn", "backends", "cpu")
_DISTRIBUTED = ("distributed", "multiprocessing", "share_memory_", "is_shared")
_COMPILER = ("jit", "compile", "export", "fx", "_dynamo", "compiler", "onnx", "script",
             "trace", "package", "_C", "ops", "library", "autocast", "amp", "profiler",
             "hub", "utils", "overrides", "testing", "_inductor", "_higher_order_ops",
             "cpp", "classes", "func", "vmap", "nested", "masked", "ao", "futures",
             "__future__")
_QUANT = ("quant", "qint", "quint", "dequantize", "int_repr", "q_scale", "q_zero_point",
          "fake_quant")
_LAYOUT = ("sparse", "to_sparse", "coo", "csr", "csc", "bsr", "complex", "cfloat", "cdouble",
           "view_as_real", "view_as_complex", "is_complex", "conj", "real", "imag", "angle",
           "polar", "chalf", "layout", "strided", "channels_last", "memory_format",
           "contiguous_format", "storage", "untyped_storage", "data_ptr", "stride",
           "as_strided", "set_", "resize_", "is_set_to", "record_stream", "storage_offset",
           "to_dense", "spmm", "jagged", "to_padded_tensor")
_NO_NUMPY_DTYPE = ("bfloat16", "float8", "float4", "uint16", "uint32", "uint64")
_BEYOND = ("linalg", "fft", "distributions", "special", "stft", "istft", "svd", "qr",
           "cholesky", "lu", "eig", "inverse", "det", "logdet", "slogdet", "pinverse",
           "lstsq", "triangular_solve", "matrix_exp", "hann_window", "hamming_window")


# Calls the scanner attributes to Tensor (it infers no types) that are, on inspection of
# every file this scan lists for them, calls on other objects.  Checked by hand.
NOT_TENSOR_CALLS = {
    "Tensor.values": "dict.values() and optimizer.state.values(); torchrec's KeyedJaggedTensor",
    "Tensor.index": "list.index / str.index",
    "Tensor.resize": "PIL's Image.resize",
}


def _category(qualified: str) -> str | None:
    """Issue 32's exclusion category of a qualified name (``torch.cuda``, ``Tensor.cuda``...)."""
    parts = qualified.split(".")
    if any(p.startswith("_") and not p.startswith("__") for p in parts[1:]) \
            or qualified == "torch.cond":
        return "compilers, jit/export and other non-numerical sub-packages"
    leaf = parts[-1]
    first = parts[1] if len(parts) > 1 else leaf

    def hit(words, exact_only=False):
        for w in words:
            if first == w or leaf == w:
                return True
            if not exact_only and (w in first or w in leaf):
                return True
        return False

    if hit(_DEVICE, exact_only=True) or "cuda" in qualified or "stream" in leaf.lower() \
            or "mps" in leaf:
        return "CUDA/devices and streams"
    if hit(_DISTRIBUTED, exact_only=True):
        return "distributed back-ends"
    if hit(_COMPILER, exact_only=True):
        return "compilers, jit/export and other non-numerical sub-packages"
    if hit(_QUANT):
        return "quantisation"
    if hit(_NO_NUMPY_DTYPE):
        return "a dtype NumPy lacks (outside issue 32's categories: no NumPy array can hold it)"
    if hit(_LAYOUT, exact_only=True) or "sparse" in leaf or "complex" in leaf:
        return "sparse and complex layouts, storage and memory layout"
    if first in NUMERIC_SUBMODULES or hit(_BEYOND, exact_only=True):
        return "fft/linalg/distributions/special beyond the textbooks"
    return None


def _torch_tables():
    """torch 2.13's public names of ``torch.Tensor`` (the table nnscratch keeps)."""
    from nnscratch import _torch_names
    return _torch_names.TENSOR


class _Scanner(ast.NodeVisitor):
    """Collect the torch names one module uses (see the module docstring)."""

    def __init__(self, tensor_methods: frozenset):
        self.tensor_methods = tensor_methods
        self.torch_aliases: set[str] = set()
        self.functional_aliases: set[str] = set()
        self.nn_aliases: set[str] = set()
        self.direct: dict[str, str] = {}        # local name -> qualified name
        self.names: set[str] = set()

    # imports --------------------------------------------------------------------------
    def visit_Import(self, node):
        for a in node.names:
            local = a.asname or a.name.split(".")[0]
            if a.name == "torch" or (a.asname is None and a.name.startswith("torch.")):
                self.torch_aliases.add(local)
            elif a.name == "torch.nn.functional":
                self.functional_aliases.add(local)
            elif a.name == "torch.nn":
                self.nn_aliases.add(local)

    def visit_ImportFrom(self, node):
        mod = node.module or ""
        for a in node.names:
            local = a.asname or a.name
            if mod == "torch":
                if a.name == "nn":
                    self.nn_aliases.add(local)
                else:
                    self.direct[local] = f"torch.{a.name}"
            elif mod == "torch.nn" and a.name == "functional":
                self.functional_aliases.add(local)
            elif mod == "torch.nn.functional":
                self.direct[local] = f"F.{a.name}"
            elif mod in tuple(f"torch.{s}" for s in NUMERIC_SUBMODULES):
                self.direct[local] = f"{mod}.{a.name}"

    # uses -----------------------------------------------------------------------------
    def _chain(self, node):
        """``a.b.c`` as ["a", "b", "c"], or None when the root is not a plain name."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        return parts[::-1]

    def visit_Attribute(self, node):
        chain = self._chain(node)
        if chain is not None and not isinstance(getattr(node, "_parent", None), ast.Attribute):
            self._record_chain(chain)
        self.generic_visit(node)

    def _record_chain(self, chain):
        root, rest = chain[0], chain[1:]
        if not rest:
            return
        if root in self.torch_aliases:
            if rest[0] == "nn" and len(rest) >= 3 and rest[1] == "functional":
                self.names.add(f"F.{rest[2]}")
            elif rest[0] in NUMERIC_SUBMODULES and len(rest) >= 2:
                self.names.add(f"torch.{rest[0]}.{rest[1]}")
            else:
                self.names.add(f"torch.{rest[0]}")
        elif root in self.functional_aliases:
            self.names.add(f"F.{rest[0]}")
        elif root in self.nn_aliases and rest[0] == "functional" and len(rest) >= 2:
            self.names.add(f"F.{rest[1]}")

    def visit_Name(self, node):
        if node.id in self.direct:
            self.names.add(self.direct[node.id])

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in self.tensor_methods:
            chain = self._chain(f.value)
            modules = self.torch_aliases | self.functional_aliases | self.nn_aliases
            if not (chain and chain[0] in modules) and not isinstance(f.value, ast.Constant):
                self.names.add(f"Tensor.{f.attr}")
        self.generic_visit(node)


def scan_source(source: str, tensor_methods: frozenset) -> set[str]:
    tree = ast.parse(source)
    for parent in ast.walk(tree):                 # mark inner attributes of a chain
        for child in ast.iter_child_nodes(parent):
            child._parent = parent                # type: ignore[attr-defined]
    s = _Scanner(tensor_methods)
    # imports first, wherever they are in the file, then the uses
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            s.visit(node)
    s.visit(tree)
    return s.names


def _status(qualified: str):
    import nnscratch
    import nnscratch.nn.functional as F
    kind, _, rest = qualified.partition(".")
    obj = {"torch": nnscratch, "F": F, "Tensor": nnscratch.Tensor}[kind]
    try:
        for part in rest.split("."):
            obj = getattr(obj, part)
        return "provided", ""
    except (AttributeError, NotImplementedError):
        pass
    except Exception:  # noqa: BLE001 -- a property that raises still exists
        return "provided", ""
    if qualified in NOT_TENSOR_CALLS:
        return "not a tensor call", NOT_TENSOR_CALLS[qualified]
    cat = _category(qualified)
    return ("excluded", cat) if cat else ("missing", "")


def scan(checkouts):
    tensor_methods = _torch_tables()
    users = defaultdict(set)
    failed = []
    for root in checkouts:
        base = os.path.basename(os.path.normpath(root))
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for fn in sorted(filenames):
                if not fn.endswith(".py"):
                    continue
                path = os.path.join(dirpath, fn)
                rel = f"{base}/{os.path.relpath(path, root)}"
                try:
                    with open(path, encoding="utf-8") as fh:
                        names = scan_source(fh.read(), tensor_methods)
                except (SyntaxError, UnicodeDecodeError, ValueError):
                    failed.append(rel)
                    continue
                for n in names:
                    users[n].add(rel)
    return users, failed


def _is_beginner(rel: str) -> bool:
    return "/beginner_source/" in f"/{rel}"


def rows(users):
    out = []
    for name in sorted(users, key=lambda n: (n.split(".")[0], n.lower())):
        files = sorted(users[name])
        status, reason = _status(name)
        needed = len(files) >= 2 or any(_is_beginner(f) for f in files)
        out.append((name, files, status, reason, needed))
    return out


def _atomic_write(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def render_markdown(table, n_files, failed, checkouts, sources=""):
    total = {k: 0 for k in ("provided", "missing", "excluded", "not a tensor call")}
    needed = {k: 0 for k in total}
    for _, _, status, _, need in table:
        total[status] += 1
        needed[status] += need
    lines = [
        "# torch names used by PyTorch's examples and tutorials",
        "",
        "Generated by `python tools/torch_names_scan.py " + " ".join(checkouts) + "` "
        "(see its docstring for what is counted and the heuristic for `Tensor.` methods). "
        f"{n_files} Python files scanned, {len(failed)} did not parse"
        + (f" ({', '.join(failed)})" if failed else "") + ".",
        "",
        *([sources, ""] if sources else []),
        f"{len(table)} names: {total['provided']} provided, {total['missing']} missing, "
        f"{total['excluded']} excluded, {total['not a tensor call']} not tensor calls. "
        f"Needed (used in two or more files, or in a beginner "
        f"tutorial): {sum(needed.values())}, of which {needed['provided']} provided, "
        f"{needed['missing']} missing, {needed['excluded']} excluded.",
        "",
        "| name | needed | status | files | used in |",
        "|---|---|---|---|---|",
    ]
    for name, files, status, reason, need in table:
        shown = ", ".join(f"`{f}`" for f in files[:4])
        if len(files) > 4:
            shown += f" (+{len(files) - 4})"
        st = f"{status}: {reason}" if reason else status
        lines.append(f"| `{name}` | {'yes' if need else ''} | {st} | {len(files)} | {shown} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("checkouts", nargs="+")
    p.add_argument("--out", default="docs/torch-scan.md")
    p.add_argument("--tsv", default="docs/torch-scan.tsv")
    p.add_argument("--missing", default=None, help="write the needed missing names here")
    p.add_argument("--sources", default="", help="a sentence naming the checkouts' origin")
    a = p.parse_args(argv)
    users, failed = scan(a.checkouts)
    n_files = sum(1 for root in a.checkouts for _, _, fs in os.walk(root) for f in fs
                  if f.endswith(".py"))
    table = rows(users)
    labels = [os.path.basename(os.path.normpath(c)) for c in a.checkouts]
    _atomic_write(a.out, render_markdown(table, n_files, failed, labels, a.sources))
    tsv = ["name\tneeded\tstatus\treason\tn_files\tfiles"]
    tsv += [f"{n}\t{int(need)}\t{s}\t{r}\t{len(fs)}\t{','.join(fs)}" for n, fs, s, r, need in table]
    _atomic_write(a.tsv, "\n".join(tsv) + "\n")
    if a.missing:
        _atomic_write(a.missing, "".join(f"{n}\t{len(fs)}\n" for n, fs, s, _, need in table
                                         if s == "missing" and need))
    print(f"{len(table)} names from {n_files} files -> {a.out}, {a.tsv}", file=sys.stderr)


if __name__ == "__main__":
    main()
