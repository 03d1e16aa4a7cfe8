"""Build the documentation site: execute every tutorial notebook, then MkDocs in strict mode.

    python docs/build.py [--site-dir site] [--jobs 2]

1. ``docs/`` is copied to a staging folder (``build/docs``), so that the notebooks in the
   repository stay without outputs;
2. each ``docs/tutorials/*.ipynb`` is executed there with nbclient, in a kernel importing the
   nnscratch of this checkout (one kernel per job, reset between notebooks: see :class:`Kernel`);
   a cell that raises, an ``assert`` on the chapter's result included, fails the build and is
   reported with the notebook's name;
3. MkDocs builds the staged pages with ``strict=True``: any warning (a broken link, a docstring
   griffe cannot read, a missing page) is an error.  The API pages come from the docstrings
   (mkdocstrings); the tutorials are rendered with the outputs and figures of step 2
   (mkdocs-jupyter, which does not execute them again).

The test suite calls :func:`build` once (``tests/package/test_docs.py``).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TUTORIALS = DOCS / "tutorials"


class NotebookFailed(RuntimeError):
    """One or more tutorials raised while being executed."""


def _kernel_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in
                                         env.get("PYTHONPATH", "").split(os.pathsep) if p])
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")           # one BLAS thread: the notebooks are small
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"   # figures as outputs
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


class Kernel:
    """One kernel of this very interpreter (its own kernelspec: a "python3" spec of the user's
    could name another Python), over IPC sockets in a private temporary folder, not TCP, with
    the environment of :func:`_kernel_env`.  Several notebooks run in it one after another:
    :meth:`reset` before each clears what the previous one left (its variables, its figures,
    the library's default dtype and grad mode, NumPy's print options and error handling), so a
    notebook sees what a fresh kernel would show it, without paying a kernel start and the
    imports of NumPy, Matplotlib and nnscratch again (about 2 s of CPU per notebook)."""

    # only what an earlier notebook imported needs resetting (importing it here would only
    # move the first notebook's import cost)
    RESET = "\n".join([
        "get_ipython().run_line_magic('reset', '-f')",
        "import sys as _sys",
        "if 'matplotlib.pyplot' in _sys.modules: _sys.modules['matplotlib.pyplot'].close('all')",
        "if 'nnscratch' in _sys.modules:",
        "    _ns = _sys.modules['nnscratch']",
        "    _ns.set_default_dtype(_ns.float32); _ns.set_grad_enabled(True); del _ns",
        "if 'numpy' in _sys.modules:",
        "    _np = _sys.modules['numpy']",
        "    _np.set_printoptions(edgeitems=3, infstr='inf', linewidth=75, nanstr='nan',"
        " precision=8, suppress=False, threshold=1000, formatter=None, sign='-',"
        " floatmode='maxprec', legacy=False)",
        "    _np.seterr(divide='warn', over='warn', under='ignore', invalid='warn'); del _np",
        "del _sys"])

    def __init__(self, cwd: Path):
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager

        self.cwd = Path(cwd)
        self.sockets = tempfile.mkdtemp(prefix="nnscratch-kernel-")
        spec_dir = Path(self.sockets, "kernels", "nnscratch-docs")
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "nnscratch docs", "language": "python"}))
        specs = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)], ensure_native_kernel=False)
        self.km = KernelManager(kernel_name="nnscratch-docs", kernel_spec_manager=specs,
                                transport="ipc", ip=os.path.join(self.sockets, "k"))

    def ensure_started(self) -> None:
        """Start the kernel, or start it again if a notebook killed it."""
        if self.km.has_kernel and self.km.is_alive():
            return
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(_kernel_env())   # the kernel inherits this process's environment
        try:
            self.km.start_kernel(cwd=str(self.cwd))
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def reset(self) -> None:
        kc = self.km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            reply = kc.execute_interactive(self.RESET, store_history=False, timeout=60,
                                           output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            raise NotebookFailed(f"resetting the kernel between notebooks failed: "
                                 f"{reply['content'].get('evalue')}")

    def close(self) -> None:
        if self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


def execute_notebook(src: Path, dst: Path, timeout: int = 120,
                     kernel: Kernel | None = None) -> float:
    """Run every cell of ``src`` and write the notebook with its outputs to ``dst``; returns
    the seconds it took.  In ``kernel`` (reset first) if given, else in a fresh kernel.  Raises
    NotebookFailed naming the notebook and the cell that raised."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    dst.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(src, as_version=4)
    own = kernel is None
    kernel = Kernel(dst.parent) if own else kernel
    start = time.perf_counter()
    try:
        kernel.ensure_started()
        kernel.reset()
        client = NotebookClient(nb, km=kernel.km, timeout=timeout, kernel_name="nnscratch-docs",
                                resources={"metadata": {"path": str(dst.parent)}})
        try:
            client.execute()
        finally:
            if client.kc is not None:      # nbclient keeps a client of a manager it was lent
                client.kc.stop_channels()
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))     # IPython's colours
        raise NotebookFailed(f"{src.name}: {plain}") from None
    finally:
        if own:
            kernel.close()
    seconds = time.perf_counter() - start
    nb.metadata["nnscratch_execution_seconds"] = round(seconds, 2)
    nbformat.write(nb, dst)
    return seconds


def _execute_group(args):
    """Execute a list of (src, dst) in one kernel: [(name, seconds or None, error or None)]."""
    pairs, timeout = args
    results = []
    kernel = Kernel(pairs[0][1].parent)
    try:
        for src, dst in pairs:
            try:
                results.append((src.name, execute_notebook(src, dst, timeout, kernel), None))
            except NotebookFailed as exc:
                results.append((src.name, None, str(exc)))
    finally:
        kernel.close()
    return results


def execute_all(dst_dir: Path, jobs: int = 1, timeout: int = 120) -> dict:
    """Execute every tutorial into ``dst_dir``; {notebook name: seconds}.  ``jobs`` kernels
    run at once, each taking every ``jobs``-th notebook in turn.  All notebooks run even when
    one fails; then NotebookFailed lists every failure."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    work = [(src, dst_dir / src.name) for src in sorted(TUTORIALS.glob("*.ipynb"))]
    groups = [(work[i::jobs], timeout) for i in range(max(1, jobs)) if work[i::jobs]]
    if len(groups) > 1:
        with ProcessPoolExecutor(len(groups)) as pool:
            results = [r for group in pool.map(_execute_group, groups) for r in group]
    else:
        results = [r for group in map(_execute_group, groups) for r in group]
    failures = [err for _, _, err in results if err is not None]
    if failures:
        raise NotebookFailed(f"{len(failures)} tutorial(s) failed:\n\n" + "\n\n".join(failures))
    return {name: seconds for name, seconds, _ in sorted(results)}


def build(site_dir: Path | str = ROOT / "site", stage_dir: Path | str = ROOT / "build" / "docs",
          jobs: int = 1, timeout: int = 120) -> dict:
    """Execute the tutorials and build the site into ``site_dir`` with warnings as errors.

    Returns {notebook name: seconds to execute}.  Raises NotebookFailed if a tutorial fails and
    SystemExit (MkDocs' Abort) if the site has a warning."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config

    site_dir, stage_dir = Path(site_dir).resolve(), Path(stage_dir).resolve()
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    shutil.copytree(DOCS, stage_dir, ignore=shutil.ignore_patterns("build.py", "__pycache__",
                                                                   ".ipynb_checkpoints"))
    vendor_mathjax(stage_dir / MATHJAX_DIR)
    if shutil.which("dot") is None:     # the tutorials draw recorded graphs as SVG pictures
        raise NotebookFailed("the tutorials need Graphviz's 'dot' program to draw graphs: "
                             "apt-get install graphviz (or your system's package)")
    timings = execute_all(stage_dir / "tutorials", jobs=jobs, timeout=timeout)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")   # the theme's banner is not a warning
    cwd = os.getcwd()
    os.chdir(ROOT)                                      # mkdocstrings' paths: [.] is the root
    try:
        config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(stage_dir),
                             site_dir=str(site_dir), strict=True)
        mkdocs_build.build(config)
    finally:
        os.chdir(cwd)
    link_roles(site_dir)
    return timings


# ----------------------------------------------------------------------------- offline math
MATHJAX_DIR = "assets/mathjax"


def vendor_mathjax(dst: Path) -> None:
    """Copy MathJax (2.7, from the jupyter-server-mathjax package of the ``docs`` extra) into
    the site, so that every equation renders with no network: the pages load it by relative
    path (mkdocs.yml's extra_javascript and mkdocs-jupyter's custom_mathjax_url).  Only the
    English localisation is kept (the others are 6 of its 10 MB)."""
    import jupyter_server_mathjax
    src = Path(jupyter_server_mathjax.__file__).parent / "static"

    def skip(folder, names):
        return [n for n in names if Path(folder).name == "localization" and n != "en"]
    shutil.copytree(src, dst, ignore=skip, dirs_exist_ok=True)


# ----------------------------------------------------------------------------- roles as links
# the docstrings cross-reference in Sphinx's roles (:class:`Tensor`, :func:`~nnscratch.fit`);
# mkdocstrings prints them as text, so after the build each becomes a link to the object's
# entry in the API pages (whose ids are the objects' dotted paths), or plain code when the
# name is not documented there
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):"
                   r"(?:<code>|`)(~?[\w.\s]+?)(?:\(\))?(?:</code>|`)")
_ANCHOR = re.compile(r'id="((?:nnscratch)(?:\.\w+)+)"')


def _api_anchors(site_dir: Path) -> dict:
    """{last part of a documented dotted path: [(path, page)]} from the built API pages."""
    anchors: dict = {}
    for page in sorted((site_dir / "api").rglob("index.html")):
        for ident in dict.fromkeys(_ANCHOR.findall(page.read_text())):
            anchors.setdefault(ident.rsplit(".", 1)[-1], []).append((ident, page))
    return anchors


def _subsequence(parts: list, ident: str) -> bool:
    rest = iter(ident.split("."))
    return all(p in rest for p in parts)


def _resolve(name: str, anchors: dict):
    """The (path, page) a role's ``name`` means: the documented objects of the same last name
    whose dotted path contains every part of ``name`` in order (``nnscratch.nn.Conv2d`` is
    documented as ``nnscratch.nn.conv.Conv2d``), the shortest such path; or None."""
    parts = name.split(".")
    hits = [h for h in anchors.get(parts[-1], []) if _subsequence(parts, h[0])]
    return min(hits, key=lambda h: (len(h[0]), h[0])) if hits else None


def link_roles(site_dir: Path) -> int:
    """Rewrite every Sphinx role in the built pages as a link (or code); the count rewritten."""
    site_dir = Path(site_dir)
    anchors = _api_anchors(site_dir)
    count = 0
    for page in site_dir.rglob("*.html"):
        html = page.read_text()

        def link(m):
            name = re.sub(r"\s+", "", m.group(1))        # a role may wrap across lines
            short = name.startswith("~")
            name = name.lstrip("~.")
            shown = name.rsplit(".", 1)[-1] if short else name
            hit = _resolve(name, anchors)
            if hit is None:
                return f"<code>{shown}</code>"
            ident, target = hit
            href = os.path.relpath(target, page.parent).replace(os.sep, "/")
            return f'<a href="{href}#{ident}"><code>{shown}</code></a>'
        new, n = _ROLE.subn(link, html)
        if n:
            page.write_text(new)
            count += n
    return count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", default=str(ROOT / "site"))
    parser.add_argument("--jobs", type=int, default=1, help="notebooks executed at once")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        timings = build(args.site_dir, jobs=args.jobs)
    except NotebookFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    for name, seconds in timings.items():
        print(f"  executed {name:<45} {seconds:5.1f} s")
    print(f"site written to {args.site_dir} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
