"""The run report: a gallery of the experiments, grouped by text and chapter.

``write_report(records, out)`` writes ``out/report.html``, one self-contained page (figures
embedded as base64 PNGs, rendered from the jinja2 template ``nnscratch/app/templates/
report.html.j2``): a table of contents by text and chapter, and per experiment its claims
(metric, this run's value, the expected value and where it comes from), its other numbers and
tables, generated text, and each figure with a sentence saying what to see
(:mod:`nnscratch.app.experiments._captions`) and a link to the experiment's code.  A quick run says
what its short setting can and cannot show.  ``out/report.md`` is the same content as plain
Markdown with figures linked by relative path.
A *record* is the dict that ``nnscratch run`` also writes to ``out/NAME/metrics.json`` (its
schema: :mod:`nnscratch.app.experiments.runner`); the terminal table and the report show its
``status`` and each expected value's ``source`` as they are.
"""
from __future__ import annotations

import base64
import datetime
import io
import json
import os
import pathlib
import re

from ..serialization import atomic_write_text

__all__ = ["write_report", "summary_table", "format_value", "status_of", "failed"]


def format_value(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(format_value(x) for x in v[:8]) + (", …" if len(v) > 8 else "") \
            + "]"
    return str(v)


def status_of(rec: dict) -> str:
    """The record's status as shown: "pass", "needs the full run" (a quick run left a claim
    unchecked), "FAIL" (an expected value missed) or "ERROR" (an exception)."""
    if rec.get("error") or rec.get("status") == "error":
        return "ERROR"
    return {"pass": "pass", "needs the full run": "needs the full run"}.get(str(rec.get("status")),
                                                                          "FAIL")


def failed(rec: dict) -> bool:
    """The record missed an expected value or raised."""
    return status_of(rec) in ("FAIL", "ERROR")


def _expected_str(e: dict, note: bool = False) -> str:
    s = f"{e['op']} {e['value']:g} [{e.get('source', '?')}]"
    return s + (f" ({_clean_note(e['note'])})" if note and e.get("note") else "")


_SOURCE_WORDS = {"text": "a text's number", "paper": "a published baseline",
                 "ours": "our own bar"}


def _check_counts(records: list[dict]) -> dict:
    """kind ("text", "paper", "ours") -> [met, checked, left to the full run] over every
    expected value of ``records``."""
    counts = {k: [0, 0, 0] for k in ("text", "paper", "ours")}
    for rec in records:
        for e in (rec.get("expected") or {}).values():
            kind = str(e.get("source", "ours")).partition(":")[0]
            c = counts.setdefault(kind, [0, 0, 0])
            if e.get("status") == "needs the full run":
                c[2] += 1
            else:
                c[1] += 1
                c[0] += e.get("status") == "pass"
    return counts


def _counts(records: list[dict]) -> str:
    """The summary line: experiments by status, then the checks counted by where their number
    comes from (a text, a published paper, our own bar), so that a pass made only of our own
    bars is not counted as meeting a text's number."""
    shown = [status_of(r) for r in records]
    n_full = shown.count("needs the full run")
    sourced = sum(status_of(r) == "pass" and any(
        str(e.get("source", "")).partition(":")[0] in ("text", "paper")
        for e in (r.get("expected") or {}).values()) for r in records)
    parts = []
    for kind, (met, checked, left) in _check_counts(records).items():
        if checked or left:
            parts.append(f"{met}/{checked} checks against {_SOURCE_WORDS.get(kind, kind)} met"
                         + (f" ({left} more left to the full run)" if left else ""))
    return (f"{shown.count('pass')}/{len(records)} experiments pass every check they run "
            f"({sourced} of them check a text's or a paper's number)"
            + (f", {n_full} need the full run to decide a claim" if n_full else "")
            + f", {sum(s in ('FAIL', 'ERROR') for s in shown)} fail; "
            + "; ".join(parts))


def _headline(rec: dict) -> tuple[str, str, str]:
    """(metric name, value, expected) of the record's headline."""
    name = rec.get("headline")
    metrics = rec.get("metrics") or {}
    expected = rec.get("expected") or {}
    if not name:
        name = next(iter(expected), next(iter(metrics), ""))
    value = format_value(metrics[name]) if name in metrics else "—"
    exp_s = "; ".join(_expected_str(e) for e in _claims(rec, name)) or "—"
    return name, value, exp_s


def summary_rows(records: list[dict]) -> list[list[str]]:
    rows = []
    for rec in records:
        name, value, exp = _headline(rec)
        rows.append([rec["name"], rec.get("source", ""), name, value, exp, status_of(rec),
                     f"{rec.get('seconds', 0.0):.1f}"])
    return rows


HEADER = ["experiment", "source", "headline metric", "value", "expected", "status", "seconds"]


def summary_table(records: list[dict], width: int | None = None) -> str:
    """The terminal's table: one row per record in the texts' order (as the report), its
    columns fitted to ``width`` characters (None: as wide as they are), a legend of the
    source keys it uses, and the counts."""
    from .._terminal import format_table, wrap_words
    records = in_book_order(records)
    legend = source_legend(records)
    return "\n".join([format_table(HEADER, summary_rows(records), width)]
                     + ([wrap_words(legend, width)] if legend else []) + [_counts(records)])


def _claims(rec: dict, metric: str) -> list[dict]:
    """The expected values stated on ``metric`` (a quick run may state its own bar and the
    full run's claim)."""
    return [e for k, e in (rec.get("expected") or {}).items() if e.get("metric", k) == metric]


def _metric_rows(rec: dict, no: str) -> list[tuple[str, str, str, str]]:
    """(metric, value, expected, ok) rows: one per expected value, or one for a metric
    without any."""
    rows = []
    for k, v in (rec.get("metrics") or {}).items():
        claims = _claims(rec, k)
        rows += [(k, format_value(v), _expected_str(e, note=True), _ok(e, no)) for e in claims]
        if not claims:
            rows.append((k, format_value(v), "", ""))
    return rows


def _ok(e: dict, no: str) -> str:
    """The 'ok' column of one expected value: yes, ``no``, or not checked by this run."""
    status = e.get("status", "pass" if e.get("passed") else "fail")
    return {"pass": "yes", "needs the full run": "needs the full run"}.get(status, no)


def _md_escape(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _md_record(rec: dict, out: pathlib.Path, caption) -> list[str]:
    lines = ["", f"#### {rec['name']} — {_status_view(rec)[0]}", "",
             f"*{_md_escape(rec.get('summary', ''))}* (source: {rec.get('source', '')}; "
             f"seed {rec.get('seed')}, quick={rec.get('quick')})", ""]
    if rec.get("error"):
        lines += ["```", rec["error"].rstrip(), "```", ""]
    if rec.get("metrics"):
        lines += ["| metric | value | expected | ok |", "|---|---|---|---|"]
        for k, v, exp, ok in _metric_rows(rec, "**no**"):
            lines.append(f"| {_md_escape(metric_label(k))} | {_md_escape(v)} | "
                         f"{_md_escape(exp)} | {ok} |")
        lines.append("")
    for table in _tables(rec):
        lines += [f"**{table['title']}**", "", "| " + " | ".join(table["columns"]) + " |",
                  "|" + "---|" * len(table["columns"])]
        lines += ["| " + " | ".join(_md_escape(v) for v in row) + " |" for row in table["rows"]]
        lines.append("")
    for tname, text in (rec.get("text") or {}).items():
        lines += [f"**{tname}**", "", "```", str(text).rstrip(), "```", ""]
    for fig in rec.get("figures") or []:
        rel = os.path.relpath(fig, out) if os.path.isabs(fig) else fig
        words = caption(rec.get("name", ""), pathlib.Path(fig).stem, rec.get("summary", ""))
        lines += [f"![{_md_escape(words)}]({rel})", "", f"*{_md_escape(words)}*", ""]
    return lines


def _md(records: list[dict], out: pathlib.Path, title: str) -> str:
    lines = [f"# {title}", "",
             f"Generated {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}. "
             f"{_counts(records)}.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in summary_rows(records):
        lines.append("| " + " | ".join(_md_escape(c) for c in row) + " |")
    if any(r.get("quick") for r in records):
        lines += ["", f"**What a quick run shows.** {QUICK_NOTE}"]
    from .experiments._captions import caption
    for _, text_title, chapters in grouped(records):
        lines += ["", f"## {text_title}"]
        for _, chapter_title, recs in chapters:
            lines += ["", f"### {chapter_title}"]
            for rec in recs:
                lines += _md_record(rec, out, caption)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the gallery (HTML)
TEXTS = {  # the source keys of experiments and docstrings: /work/shared/seeds/README.md
    "000": "Data science from scratch (Hifny)",
    "001": "Deep Learning Notes using Julia with Flux (Murrell, de Freitas)",
    "002": "Neural Networks I, lecture slides (Peña, Linköping University)",
    "003": "Neural Networks and Deep Learning: Exercises (Sikdar)",
    "004": "Introductory notes on neural networks",
}
SHORT_TITLES = {"000": "Hifny", "001": "Murrell, de Freitas", "002": "Peña",
                "003": "Sikdar", "004": "intro notes"}   # the terminal's one-line legend
OTHER = "Published baselines"
CHAPTERS = {
    "000": {1: "Optimization for data science", 2: "Input representation",
            3: "Linear regression networks", 4: "Binary classification networks",
            5: "Multiclass classification networks", 6: "Multilabel classification networks",
            7: "Deep neural networks", 8: "Convolutional networks",
            9: "Recurrent neural networks"},
    "001": {1: "Introduction", 2: "Linear algebra", 3: "Linear regression",
            4: "Maximum likelihood", 5: "Ridge regression and basis functions",
            6: "Optimisation", 7: "Logistic regression", 8: "Backpropagation",
            9: "Convolutional neural networks", 10: "Recurrent neural networks",
            11: "Auto-encoders"},
    "002": {6: "Neural networks and backpropagation"},
    "003": {1: "Neural networks that recognise hand-written digits",
            2: "The backpropagation algorithm", 3: "Improving the way neural networks learn",
            4: "Neural networks can compute any function", 5: "RNNs and LSTMs"},
    "004": {1: "Introduction: hidden layers and non-linearity"},
}
_KEY = re.compile(r"\b(00[0-4])\b\s*(?:§\s*(\d+)(?:\.(\d+))?|ch\.\s*(\d+)|Example\s+(\d+)"
                  r"(?:\.(\d+))?)?")


def source_place(source: str) -> tuple[str, int | None, float]:
    """``(text key, chapter, section)`` of the first place a source names: ``"000 §1.5"`` ->
    ``("000", 1, 5.0)``; a source naming no text (a published baseline) -> ``("", None, 0)``."""
    m = _KEY.search(source or "")
    if not m:
        return "", None, 0.0
    text, sec_ch, sec, ch, ex_ch, ex_sec = m.groups()
    chapter = sec_ch or ch or ex_ch
    return text, int(chapter) if chapter else None, float(sec or ex_sec or 0)


def book_key(source: str, name: str = "") -> tuple:
    """Sort key of the texts' order: text, chapter, section, then name; sources naming no
    text come last."""
    text, chapter, section = source_place(source)
    return (text == "", text, chapter is None, chapter or 0, section, name)


def in_book_order(records: list[dict]) -> list[dict]:
    """``records`` sorted as the report groups them: by text, chapter and section."""
    return sorted(records, key=lambda r: book_key(r.get("source", ""), r.get("name", "")))


def source_legend(records: list[dict]) -> str:
    """One line naming the texts behind the source keys that ``records`` use:
    ``"texts: 000 Hifny · 001 Murrell, de Freitas · …"`` (the report names them in full)."""
    used = sorted({source_place(r.get("source", ""))[0] for r in records} - {""})
    return "texts: " + " · ".join(f"{k} {SHORT_TITLES[k]}" for k in used
                                    if k in SHORT_TITLES) if used else ""


# words of metric names as a learner reads them; the rest stay as written
_WORDS = {"acc": "accuracy", "val": "validation", "bpc": "bits per character", "mse": "MSE",
          "rmse": "RMSE", "nit": "iterations", "kl": "KL", "se": "standard errors",
          "deg1": "degree 1", "deg2": "degree 2", "deg15": "degree 15", "lr": "learning rate",
          "rel": "relative", "abs": "absolute", "gd": "gradient descent", "bfgs": "BFGS",
          "l-bfgs": "L-BFGS", "lbfgs": "L-BFGS", "newton-cg": "Newton-CG", "newton": "Newton",
          "adam": "Adam", "adagrad": "AdaGrad", "rmsprop": "RMSprop", "1d": "1-D",
          "2d": "2-D", "log10": "log₁₀", "delta2": "δ²", "f1": "F1", "sklearn": "scikit-learn",
          "bilstm": "BiLSTM", "lstm": "LSTM", "gru": "GRU", "rnn": "RNN", "cnn": "CNN",
          "mlp": "MLP", "eq": "eq.", "mle": "maximum-likelihood", "mu": "μ", "sigma2": "σ²",
          "var": "variance", "n": "n", "hat": "estimate", "linreg": "linear regression",
          "mc": "Monte Carlo", "rosenbrock": "Rosenbrock:", "elongated": "elongated bowl:",
          "circular": "circular bowl:", "ols": "least squares", "cv": "cross-validated",
          "tol": "tolerance", "std": "standard deviation", "p11": "p(1, 1)",
          "argmax": "maximiser", "argmin": "minimiser", "num": "number of"}
_PHRASES = [("hit_cap", "hit the iteration cap"), ("nit_to_tol", "iterations to the common "
            "tolerance"), ("_over_", "÷"), ("_minus_", "−"), ("_in_se", "in standard errors"),
            ("max_p_class0", "max p for class 0"), ("n_train", "training samples")]


def metric_label(key: str) -> str:
    """A metric's name as the report shows it: ``"val_bpc"`` -> ``"validation bits per
    character"``, ``"book_test_accuracy"`` -> ``"test accuracy reported in the text"``."""
    key = str(key)
    if key.startswith("book_"):
        return f"{metric_label(key[5:])} reported in the text"
    if key.startswith("listing_"):
        return f"{metric_label(key[8:])} with the listing's settings"
    if " " in key or "_" not in key and key not in _WORDS:   # already words
        return key
    for raw, words in _PHRASES:
        key = key.replace(raw, f" {words} ")
    return " ".join(_WORDS.get(w, w) for w in re.split(r"[_\s]+", key) if w)


def _clean_note(note: str) -> str:
    """A claim's note without the project's internal words (issue numbers, raw names)."""
    note = re.sub(r"\bthe issue'?s bar\b", "our bar", note or "")
    note = re.sub(r"\bissue \d+('s)? (target|bar)\b", "our target", note)
    return re.sub(r"\(([a-z0-9]+(?:_[a-z0-9]+)+)\)", lambda m: f"({metric_label(m[1])})",
                  note)


def _where_from(source: str) -> str:
    """``"text: 000 §4.4"`` -> ``"the text, 000 §4.4"``; ``"ours"`` -> ``"our own bar"``."""
    kind, _, rest = (source or "").partition(":")
    rest = rest.strip()
    if kind == "text":
        return f"the text, {rest}"
    if kind == "paper":
        return f"published baseline: {rest}"
    return "our own bar" + (f" ({_clean_note(rest)})" if rest else "")


def _claim_view(e: dict, value, quick: bool) -> dict:
    """One checked (or deferred) expected value, in the words the gallery shows."""
    status = e.get("status", "pass" if e.get("passed") else "fail")
    reached = None
    if status == "needs the full run":
        try:
            import operator
            ops = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
                   "==": operator.eq}
            reached = bool(ops[e["op"]](float(value), float(e["value"])))
        except (KeyError, TypeError, ValueError):
            reached = None
    if status == "pass":
        verdict, css = "yes", "pass"
    elif status == "needs the full run":
        verdict = ("already reached by the quick run" if reached else
                   "not reached by the quick run: needs the full run")
        css = "needs"
    else:
        verdict, css = "no", "FAIL"
    return {"metric": metric_label(e.get("metric", "")), "value": format_value(value),
            "expected": f"{e['op']} {e['value']:g}", "note": _clean_note(e.get("note", "")),
            "source": _where_from(e.get("source", "")), "verdict": verdict, "css": css,
            "far": status == "needs the full run" and reached is False}


# what a quick run leaves to the full run, by where its number comes from
_LEFT_WORDS = {"text": "the text's number", "paper": "the published number",
               "ours": "our full-run bar"}


def _status_view(rec: dict) -> tuple[str, str]:
    """(words, css class) of a record's status; a quick run says it was a quick check."""
    st = status_of(rec)
    if st in ("FAIL", "ERROR"):
        return ("failed" if st == "FAIL" else "error"), st
    if st == "needs the full run":
        left = {str(e.get("source", "ours")).partition(":")[0]
                for e in (rec.get("expected") or {}).values()
                if e.get("status") == "needs the full run"}
        words = [w for k, w in _LEFT_WORDS.items() if k in left] or ["a claim"]
        verb = "needs" if len(words) == 1 else "need"
        return f"quick check passed; {' and '.join(words)} {verb} the full run", "needs"
    return ("quick check passed" if rec.get("quick") else "pass"), "pass"


def _code_links(records: list[dict], out: pathlib.Path) -> dict:
    """experiment name -> (relative href, shown path and line) of the function that runs it."""
    import inspect
    try:
        from .experiments.runner import discover
        reg, _ = discover()
    except Exception:   # a report is still written without links
        return {}
    root = pathlib.Path(__file__).resolve().parents[2]     # the checkout: nnscratch/app/ up two
    links = {}
    for rec in records:
        exp = reg.get(rec.get("name", ""))
        if exp is None:
            continue
        try:
            path = pathlib.Path(inspect.getsourcefile(exp.fn) or "").resolve()
            line = inspect.getsourcelines(exp.fn)[1]
        except (OSError, TypeError):
            continue
        shown = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
        href = pathlib.Path(os.path.relpath(path, out.resolve())).as_posix()
        links[rec["name"]] = (href, f"{shown}, line {line} ({exp.fn.__name__})")
    return links


def _png_data(p: pathlib.Path) -> str:
    """The figure as a base64 PNG, reduced to 128 colours when Pillow is there (a plot has few
    colours; this quarters the report's size with no visible change)."""
    raw = p.read_bytes()
    try:
        from PIL import Image
        with Image.open(io.BytesIO(raw)) as im:
            small = im.convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE,
                                               dither=Image.Dither.NONE)
            buf = io.BytesIO()
            small.save(buf, "PNG", optimize=True)
        if buf.tell() < len(raw):
            raw = buf.getvalue()
    except Exception:   # no Pillow, or an image it cannot read: embed the file as it is
        pass
    return base64.b64encode(raw).decode("ascii")


def _figures(rec: dict, out: pathlib.Path) -> list[dict]:
    from .experiments._captions import caption
    figs = []
    for fig in rec.get("figures") or []:
        p = pathlib.Path(fig)
        if not p.is_absolute():
            p = out / p
        try:
            data = _png_data(p)
        except OSError:
            data = None
        figs.append({"data": data, "path": str(fig),
                     "caption": caption(rec.get("name", ""), p.stem, rec.get("summary", ""))})
    return figs


def _tables(rec: dict) -> list[dict]:
    tables = []
    for tname, rows in (rec.get("tables") or {}).items():
        if not rows:
            continue
        cols = list(rows[0])
        tables.append({"title": tname, "columns": [metric_label(c) for c in cols],
                       "rows": [[format_value(r.get(c, "")) for c in cols] for r in rows]})
    return tables


def _card(rec: dict, out: pathlib.Path, links: dict) -> dict:
    metrics = rec.get("metrics") or {}
    claims = [_claim_view(e, metrics.get(e.get("metric", k)), bool(rec.get("quick")))
              for k, e in (rec.get("expected") or {}).items()]
    claimed = {e.get("metric", k) for k, e in (rec.get("expected") or {}).items()}
    others = [(metric_label(k), format_value(v)) for k, v in metrics.items()
              if k not in claimed]
    tables = _tables(rec)
    words, css = _status_view(rec)
    far = [c for c in claims if c["far"]]
    return {"name": rec["name"], "summary": rec.get("summary", ""),
            "source": rec.get("source", ""), "status": words, "css": css,
            "seconds": f"{rec.get('seconds', 0.0):.1f}", "seed": rec.get("seed"),
            "quick": bool(rec.get("quick")), "error": rec.get("error"),
            "code": links.get(rec["name"]), "claims": claims, "others": others,
            # with tables, the numbers not checked are mostly the tables' cells: fold them
            "others_folded": bool(tables), "tables": tables,
            "text": [(k, str(v)) for k, v in (rec.get("text") or {}).items()],
            "far": far, "figures": _figures(rec, out)}


def grouped(records: list[dict]) -> list[tuple[str, str, list[tuple[str, str, list[dict]]]]]:
    """``[(text id, text title, [(chapter id, chapter title, records)])]`` in the texts' order,
    chapters by number, records by section then name."""
    groups: dict = {}
    for rec in records:
        text, chapter, section = source_place(rec.get("source", ""))
        groups.setdefault(text, {}).setdefault(chapter, []).append((section, rec))
    texts = []
    for text in sorted(groups, key=lambda t: (t == "", t)):
        chapters = []
        for ch in sorted(groups[text], key=lambda c: (c is None, c or 0)):
            name = CHAPTERS.get(text, {}).get(ch) if ch is not None else None
            label = (f"Chapter {ch}: {name}" if name else f"Chapter {ch}") if ch is not None \
                else ("Other sections" if text else "Beyond the texts")
            recs = [r for _, r in sorted(groups[text][ch], key=lambda sr: (sr[0], sr[1]["name"]))]
            chapters.append((f"t{text or 'x'}-c{ch if ch is not None else 'x'}", label, recs))
        title = f"{text} — {TEXTS.get(text, OTHER)}" if text else OTHER
        texts.append((f"t{text or 'x'}", title, chapters))
    return texts


def _gallery(records: list[dict], out: pathlib.Path) -> list[dict]:
    """Texts -> chapters -> experiment cards, for the template."""
    links = _code_links(records, out)
    return [{"id": tid, "title": title,
             "chapters": [{"id": cid, "title": ctitle,
                           "cards": [_card(r, out, links) for r in recs]}
                          for cid, ctitle, recs in chapters]}
            for tid, title, chapters in grouped(records)]


QUICK_NOTE = (
    "This is a quick run (nnscratch run all --quick): every experiment trains for fewer "
    "epochs, on less data or with fewer steps, so that the whole gallery takes minutes. It can "
    "show that each example runs end to end and learns in the right direction: losses fall, "
    "the curves have their shape, the better method wins. It cannot decide the claims that "
    "need long training (the accuracies of the large models, the bits per character of the "
    "language models, whose samples are not yet words after a quick run). A claim the quick "
    "run already meets passes; each one it does not yet meet is marked below with the number "
    "this run reached beside the claim's; run 'nnscratch run all' without --quick to check "
    "them. Each expected value says where its number comes from: a text (what the text "
    "prints), a paper (a published baseline, cited), or our own bar.")


def _html(records: list[dict], out: pathlib.Path, title: str) -> str:
    from .._optional import require
    jinja2 = require("jinja2", "the HTML report")
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("nnscratch.app", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
        lstrip_blocks=True)
    quick = any(r.get("quick") for r in records)
    shown = [status_of(r) for r in records]
    return env.get_template("report.html.j2").render(
        title=title, generated=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        counts=_counts(records), quick=quick, quick_note=QUICK_NOTE, texts=_gallery(records, out),
        n_pass=shown.count("pass"), n_full=shown.count("needs the full run"),
        n_fail=sum(s in ("FAIL", "ERROR") for s in shown), n=len(records),
        check_counts=[(_SOURCE_WORDS[k], met, checked, left)
                      for k, (met, checked, left) in _check_counts(records).items()
                      if checked or left])


def write_report(records: list[dict], out, title: str = "nnscratch experiments") -> tuple:
    """Write ``out/report.md`` and ``out/report.html``; return their paths."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "report.md", out / "report.html"
    atomic_write_text(md, _md(records, out, title))
    atomic_write_text(page, _html(records, out, title))
    return md, page


def load_records(out) -> list[dict]:
    """Every ``out/*/metrics.json`` (sorted by name), e.g. to rebuild a report."""
    return [json.loads(p.read_text()) for p in sorted(pathlib.Path(out).glob("*/metrics.json"))]
