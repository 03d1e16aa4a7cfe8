"""The documentation site: `make docs` builds it with every tutorial executed (docs/build.py).

test_site_builds_with_every_tutorial_executed runs the ten notebooks once, each in a fresh
kernel, and MkDocs in strict mode: about 50 s of CPU (60-140 s of wall time on a busy
2-core machine).  The other tests read files only (< 1 s).
"""
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((DOCS / "tutorials").glob("*.ipynb"))
KEYS = ("000", "001", "002", "003", "004")


def _build_module():
    spec = importlib.util.spec_from_file_location("nnscratch_docs_build", DOCS / "build.py")
    module = importlib.util.module_from_spec(spec)
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
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert sum(c.source.count("assert ") for c in code) >= 3      # the results, checked
    assert all(not c.get("outputs") for c in code), "commit tutorials without outputs"


def test_ten_tutorials_one_per_chapter_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    assert len(NOTEBOOKS) == 10
    for path in NOTEBOOKS:
        assert f"tutorials/{path.name}" in nav


def test_site_builds_with_every_tutorial_executed(tmp_path):
    build = _build_module()
    timings = build.build(site_dir=tmp_path / "site", stage_dir=tmp_path / "stage")
    assert sorted(timings) == [p.name for p in NOTEBOOKS]
    for path in NOTEBOOKS:
        nb = nbformat.read(tmp_path / "stage" / "tutorials" / path.name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), path.name          # every cell ran
        assert not any(o.output_type == "error" for c in code for o in c.outputs)
        figures = [o for c in code for o in c.outputs
                   if o.output_type in ("display_data", "execute_result")
                   and ("image/png" in o.data or "image/svg+xml" in o.data)]
        assert figures, f"{path.name} draws no figure"

    site = tmp_path / "site"
    page = (site / "tutorials" / "01_gradient_descent" / "index.html").read_text()
    assert "data:image/png;base64," in page                # the executed figures are shown
    assert "x^{(t+1)}" in page                              # next to the text's equation
    api = (site / "api" / "nn" / "index.html").read_text()
    assert "Affine map" in api and "in_features" in api     # from nn.Linear's docstring
    top = (site / "api" / "nnscratch" / "index.html").read_text()
    assert "draw_graph" in top
    sources = (site / "sources" / "index.html").read_text()
    assert "Data science from scratch" in sources and "Deep Learning Notes" in sources
