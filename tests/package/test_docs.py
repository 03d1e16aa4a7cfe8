"""The documentation site: `make docs` builds it with every tutorial executed (docs/build.py).

The ``built`` fixture runs the notebooks once (two kernels at a time, each running every other
notebook, reset in between), and MkDocs in strict mode: about 70 s of CPU; the
tests of the built site read its files, and one opens a tutorial in headless Chromium (as the
playground's browser test does) to see its math typeset with no network.
"""
import fcntl
import importlib.util
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import nbformat
import pytest
from conftest import require_programs
from helpers import ROOT as _ROOT

# one worker runs this file, so the module-scoped site build (~100 s) happens once, not once
# per xdist worker that draws one of its tests (make test runs --dist loadgroup)
pytestmark = pytest.mark.xdist_group("docs")

ROOT = _ROOT
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((DOCS / "tutorials").glob("*.ipynb"))
KEYS = ("000", "001", "002", "003", "004")


def _build_module():
    spec = importlib.util.spec_from_file_location("nnscratch_docs_build", DOCS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module     # its worker processes find its functions by name
    spec.loader.exec_module(module)
    return module


def _chapters_by_key():
    """{key: chapter numbers} from the chapter tables of docs/sources.md."""
    text = (DOCS / "sources.md").read_text()
    found = {}
    for key in KEYS:
        section = text.split(f"## {key}", 1)[1].split("\n## ", 1)[0]
        found[key] = {int(m) for m in re.findall(r"^\| (\d+) ", section, flags=re.M)}
    return found


def test_every_citation_in_the_package_names_a_chapter_of_the_sources_page():
    chapters = _chapters_by_key()
    assert all(chapters[k] for k in KEYS)
    cited = set()
    for path in (ROOT / "nnscratch").rglob("*.py"):
        for key, chapter in re.findall(r"\b(00[0-4]) (?:§|ch\. ?)(\d+)", path.read_text()):
            cited.add((key, int(chapter)))
            assert int(chapter) in chapters[key], f"{path}: {key} chapter {chapter} is not " \
                                                  f"on docs/sources.md"
    assert len(cited) >= 15                         # the package does cite its sources
    # and the page names each text's file in shared/seeds
    seeds = (DOCS / "sources.md").read_text()
    for key in KEYS:
        assert re.search(rf"`{key}_[0-9a-f]{{16}}\.txt`", seeds), key


def test_notation_page_has_a_column_per_text():
    header = next(line for line in (DOCS / "notation.md").read_text().splitlines()
                  if line.startswith("| quantity"))
    assert [c.strip() for c in header.strip("|").split("|")] == \
        ["quantity", *KEYS, "nnscratch"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_cites_its_texts_shows_equations_and_asserts(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.search(r"\b00[0-4] (§|ch\.|\()", first.source)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "$$" in markdown                                       # the text's equations
    # mkdocs-jupyter leaves links in notebooks as written: a link to a .md page would break
    assert not re.search(r"\]\([^)]*\.md\)", markdown)
    # a code span in a heading changes its anchor, and the contents links no longer find it
    assert not re.findall(r"^#+ .*`.*$", markdown, flags=re.M), "no backticks in headings"
    # an apostrophe in a notebook's math reaches MathJax as an entity: "[Math Processing
    # Error]" in the browser; write a prime as ^{\prime}
    primes = [m for m in re.findall(r"\$\$.*?\$\$|\$[^$]*\$", markdown, flags=re.S) if "'" in m]
    assert not primes, primes[:3]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sum(c.source.count("assert ") for c in code) >= 3      # the results, checked
    assert all(not c.get("outputs") for c in code), "commit tutorials without outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_tutorial_ends_with_what_to_try_and_exercises_with_checked_solutions(path):
    """d2l's shape: after the text, what to try and >= 3 exercises, each followed by a worked
    solution that asserts its answer (the ``built`` fixture executes them)."""
    cells = nbformat.read(path, as_version=4).cells
    headings = [i for i, c in enumerate(cells)
                if c.cell_type == "markdown" and c.source.startswith("## Exercises")]
    assert len(headings) == 1, "one '## Exercises' section"
    assert any(c.cell_type == "markdown" and c.source.startswith("## What to try")
               for c in cells[:headings[0]])
    questions = [i for i, c in enumerate(cells) if i > headings[0]
                 and c.cell_type == "markdown" and c.source.startswith("### Exercise")]
    assert len(questions) >= 3
    for i in questions:
        question, solution = cells[i], cells[i + 1] if i + 1 < len(cells) else None
        assert len(question.source) > 200, question.source       # written out, not a pointer
        assert re.search(r"\b\d+\.\d+\b|§", question.source), "quote the text's equation"
        assert solution is not None and solution.cell_type == "code", question.source[:60]
        assert "assert " in solution.source, question.source[:60]


def test_tutorials_cover_every_text_and_are_in_the_nav():
    """Chapter tutorials for 000 and 001, one per text for 002-004 (issue 35); every tutorial
    is in the nav and linked from its chapters' rows of the sources page."""
    nav = (ROOT / "mkdocs.yml").read_text()
    sources = (DOCS / "sources.md").read_text()
    assert len(NOTEBOOKS) >= 15
    for key in ("002", "003", "004"):
        assert any(p.stem.endswith(f"_{key}") for p in NOTEBOOKS), key
    for path in NOTEBOOKS:
        assert f"tutorials/{path.name}" in nav
        assert f"(tutorials/{path.name})" in sources, f"{path.name}: no chapter row links it"
    # the chapters of 000 and 001 whose rows name a tutorial
    for key, least in (("000", 8), ("001", 9)):
        section = sources.split(f"## {key}", 1)[1].split("\n## ", 1)[0]
        rows = [r for r in section.splitlines() if re.match(r"\| \d+ ", r)]
        assert sum("(tutorials/" in r for r in rows) >= least, key


def _chapters_with_an_experiment():
    """{(key, chapter)} of 000 and 001 that an experiment's ``source=`` cites (wherever the
    experiments live in the package)."""
    found = set()
    for path in (ROOT / "nnscratch").rglob("*.py"):
        text = path.read_text()
        if "@experiment(" not in text:
            continue
        for source in re.findall(r'@experiment\([^@]*?source="([^"]*)"', text, flags=re.S):
            found |= {(k, int(c)) for k, c in re.findall(r"\b(00[01]) (?:§|ch\. ?)(\d+)", source)}
    return found


def test_every_chapter_with_an_experiment_has_a_tutorial_of_its_own():
    """Issue 35: one tutorial per chapter of 000 and 001 that has an experiment, i.e. a notebook
    whose title cell's **Text:** paragraph names that chapter and no other (sections of other
    chapters may be cited), not one of several chapters sharing a notebook."""
    chapters = _chapters_with_an_experiment()
    assert {("000", 1), ("000", 9), ("001", 3), ("001", 11)} <= chapters   # the scan finds them
    own = set()
    for path in NOTEBOOKS:
        first = nbformat.read(path, as_version=4).cells[0].source
        text_line = next(p for p in first.split("\n\n") if p.startswith("**Text"))
        named = re.findall(r"\b(?:(00[0-4]) )?ch\. ?(\d+)\b", text_line)
        if len(named) == 1 and named[0][0]:             # it names one chapter: its own
            own.add((named[0][0], int(named[0][1])))
    missing = sorted(chapters - own)
    assert not missing, f"chapters with an experiment but no tutorial of their own: {missing}"


def test_notebooks_sharing_a_kernel_see_a_fresh_one(tmp_path):
    """docs/build.py runs several notebooks in one kernel; what one notebook leaves behind (its
    variables, the library's default dtype, grad mode, NumPy's print options) must not reach
    the next, and both must really have run in the same kernel process."""
    build = _build_module()
    dirty = ["import os, numpy as np, nnscratch as ns\n"
             "leftover = 1; ns.set_default_dtype(np.float64); ns.set_grad_enabled(False)\n"
             "np.set_printoptions(precision=3); print(os.getpid())"]
    check = ["import os, numpy as np, nnscratch as ns\n"
             "assert 'leftover' not in globals()\n"
             "assert ns.get_default_dtype() == ns.float32 and ns.is_grad_enabled()\n"
             "assert np.get_printoptions()['precision'] == 8\n"
             "print(os.getpid())"]
    pairs = []
    for name, cells in (("a.ipynb", dirty), ("b.ipynb", check)):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nbformat.write(nb, tmp_path / name)
        pairs.append((tmp_path / name, tmp_path / "out" / name))
    # in a child process, as the build runs it: nbclient's event loop in this process would be
    # inherited, broken, by the processes the built fixture forks later
    with ProcessPoolExecutor(1) as pool:
        results = pool.submit(build._execute_group, (pairs, 60)).result()
    assert [err for _, _, err in results] == [None, None], results
    pids = [nbformat.read(dst, as_version=4).cells[0].outputs[0]["text"] for _, dst in pairs]
    assert pids[0] == pids[1]                               # one kernel ran both


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The site, built once per test run for the tests below: (site folder, staged notebooks
    folder, {notebook: seconds}).

    Under xdist the workers share one build: the first to arrive builds the site into the run's
    common temporary folder under a file lock, and the others wait and read it.  (The module's
    ``xdist_group`` should already send these tests to one worker, but with pytest 9.2 xdist's
    loadgroup silently stops grouping, pytest-dev/pytest-xdist#1386, and the ~60 s build ran
    on both workers.)"""
    require_programs("the docs site (graphs drawn as SVG)", "dot")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        tmp = tmp_path_factory.mktemp("docs")
        timings = _build_module().build(site_dir=tmp / "site", stage_dir=tmp / "stage", jobs=2)
        return tmp / "site", tmp / "stage", timings
    tmp = tmp_path_factory.getbasetemp().parent / "docs-site"   # this run's, all workers'
    tmp.mkdir(exist_ok=True)
    with open(tmp.parent / "docs-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)        # released when the with-block closes the file
        done = tmp / "timings.json"
        if not done.exists():
            timings = _build_module().build(site_dir=tmp / "site", stage_dir=tmp / "stage",
                                            jobs=2)
            done.write_text(json.dumps(timings))
    return tmp / "site", tmp / "stage", json.loads(done.read_text())


def _pages(site):
    return [p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts]


def test_site_builds_with_every_tutorial_executed(built):
    site, stage, timings = built
    assert sorted(timings) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        nb = nbformat.read(stage / "tutorials" / path.name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), path.name          # every cell ran
        assert not any(o.output_type == "error" for c in code for o in c.outputs)
        figures = [o for c in code for o in c.outputs
                   if o.output_type in ("display_data", "execute_result")
                   and ("image/png" in o.data or "image/svg+xml" in o.data)]
        assert figures, f"{path.name} draws no figure"
        printed = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                          for c in code for o in c.outputs)
        assert " at 0x" not in printed, f"{path.name} prints an object's address"

    page = (site / "tutorials" / "01_gradient_descent" / "index.html").read_text()
    assert "data:image/png;base64," in page                # the executed figures are shown
    assert "x^{(t+1)}" in page                              # next to the text's equation
    graph = (site / "tutorials" / "05_backpropagation" / "index.html").read_text()
    assert 'data-mime-type="image/svg+xml"' in graph        # the recorded graph, as a picture
    api = (site / "api" / "nn" / "index.html").read_text()
    assert "Affine map" in api and "in_features" in api     # from nn.Linear's docstring
    top = (site / "api" / "nnscratch" / "index.html").read_text()
    assert "draw_graph" in top
    sources = (site / "sources" / "index.html").read_text()
    assert "Data science from scratch" in sources and "Deep Learning Notes" in sources
    start = re.sub(r"<[^>]+>", "", (site / "getting-started" / "index.html").read_text())
    assert "make demo" in start and "nnscratch playground" in start
    assert 'href="getting-started/' in (site / "index.html").read_text()


_REMOTE_ASSET = re.compile(r"""<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?"""
                           r"""\b(?:src|href|srcset)=["']?(?:https?:)?//""", re.I)
_REMOTE_CSS = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(?:https?:)?//""", re.I)


def test_no_request_leaves_the_machine(built):
    site = built[0]
    offenders = []
    for path in list(site.rglob("*.html")) + list(site.rglob("*.css")):
        text = path.read_text(errors="replace")
        for pattern in (_REMOTE_ASSET, _REMOTE_CSS):
            offenders += [f"{path.relative_to(site)}: {m.group(0)[:80]}"
                          for m in pattern.finditer(text)]
    assert not offenders, "\n".join(offenders[:20])
    assert (site / "assets" / "mathjax" / "MathJax.js").is_file()      # math ships with it
    assert _REMOTE_ASSET.search('<script src="https://cdn.example/x.js">')  # the check bites


def test_cross_references_are_links_not_raw_roles(built):
    site = built[0]
    raw = [f"{p.relative_to(site)}: {m}" for p in _pages(site)
           for m in re.findall(r":(?:class|func|meth|mod|attr|exc|data):\S{0,30}",
                               p.read_text())]
    assert not raw, raw[:10]
    links = sum(len(re.findall(r'<a href="[^"]*#nnscratch\.[\w.]+"><code>', p.read_text()))
                for p in _pages(site / "api"))
    assert links >= 100                    # the roles became links to the API entries


def test_every_in_page_link_has_its_target(built):
    site = built[0]
    broken = []
    for page in _pages(site):
        html = page.read_text()
        ids = set(re.findall(r'\b(?:id|name)="([^"]+)"', html))
        broken += [f"{page.relative_to(site)}#{h}" for h in re.findall(r'href="#([^"]+)"', html)
                   if h not in ids]
    assert not broken, broken[:10]


def test_getting_started_code_runs():
    text = (DOCS / "getting-started.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    import nnscratch
    nnscratch.manual_seed(0)
    for code in blocks:
        exec(compile(code, "getting-started.md", "exec"), {})


@pytest.fixture
def served(built):
    """The built site on a free loopback port (as a reader's ``python -m http.server``)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(Quiet, directory=str(built[0])))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_tutorial_renders_its_math_in_a_browser_with_no_network(served, browser):
    """Chromium opens an executed tutorial: MathJax, shipped with the site, typesets its
    equations, and every resource the page loaded came from the site's own server."""
    browser.get(f"{served}/tutorials/01_gradient_descent/")
    done = "return window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && " \
           "MathJax.Hub.queue.running === 0 && document.querySelectorAll('.MathJax, " \
           ".MathJax_CHTML').length"
    deadline = time.monotonic() + 60         # ~3 s alone; a loaded 2-core machine is slower
    while not browser.execute_script(done):
        assert time.monotonic() < deadline, "MathJax did not typeset the page in 60 s"
        time.sleep(0.1)
    assert browser.execute_script(done) >= 10                 # the equations, typeset
    text = browser.find_element("tag name", "body").text
    assert "$$" not in text                                   # none left raw
    assert "[Math Processing Error]" not in text              # and none MathJax failed on
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(u.startswith(served + "/") for u in loaded), loaded
    shot = ROOT / "runs" / "docs" / "tutorial01.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(shot))
