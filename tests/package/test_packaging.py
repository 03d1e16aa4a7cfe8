"""What the wheel declares: license, one version source, py.typed, the report's template and
jinja2 in the extra `make demo` installs. Cost: < 1 s (reads files; builds nothing)."""
import re

import tomllib
from helpers import ROOT as _ROOT

import nnscratch

ROOT = _ROOT
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def _extra(name: str, seen=()) -> set[str]:
    """The requirement names an extra pulls in, following nnscratch[...] self-references."""
    out = set()
    for req in PROJECT["optional-dependencies"][name]:
        m = re.fullmatch(r"nnscratch\[([\w,]+)\]", req)
        if m:
            for sub in m[1].split(","):
                if sub not in seen:
                    out |= _extra(sub, seen + (name,))
        else:
            out.add(re.split(r"[<>=!~; \[]", req, maxsplit=1)[0].lower())
    return out


def test_license_is_declared_and_shipped():
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY" in text
    assert "License :: OSI Approved :: MIT License" not in PROJECT["classifiers"]  # SPDX says it
    assert "Typing :: Typed" in PROJECT["classifiers"]


def test_one_version_source():
    assert "version" not in PROJECT and PROJECT["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "nnscratch.version.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", nnscratch.__version__)
    assert f"[{nnscratch.__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_package_data_ships_the_template_and_py_typed():
    package_data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for package, patterns in package_data.items():
        folder = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            assert list(folder.glob(pattern)), (package, pattern)
    assert "py.typed" in package_data["nnscratch"]
    assert "templates/*.j2" in package_data["nnscratch.app"]
    assert "static/*" in package_data["nnscratch.app.playground"]
    assert (ROOT / "nnscratch" / "app" / "templates" / "report.html.j2").is_file()


def test_make_demo_installs_jinja2_and_lint_runs_mypy():
    makefile = (ROOT / "Makefile").read_text()
    extra = re.search(r'^install: .*\n\t(?:@echo .*\n\t)?\$\(PIP\) -e "\.\[(\w+)\]"', makefile,
                      re.M)[1]
    assert "jinja2" in _extra(extra)
    assert re.search(r"^lint:(.*\n\t)+.*-m mypy nnscratch", makefile, re.M)
