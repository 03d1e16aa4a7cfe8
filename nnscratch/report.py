"""The run report: one row per experiment (headline metric, expected value and where it comes
from, status) followed by each experiment's metrics, tables, text and figures.

``write_report(records, out)`` writes ``out/report.md`` (figures linked by relative path) and
``out/report.html`` (figures embedded as base64 PNGs, so the file opens anywhere on its own).
A *record* is the dict that ``nnscratch run`` also writes to ``out/NAME/metrics.json`` (its
schema: :mod:`nnscratch.experiments.runner`); the terminal table and the report show its
``status`` and each expected value's ``source`` as they are.
"""
from __future__ import annotations

import base64
import datetime
import html
import json
import os
import pathlib

from .serialization import atomic_write_text

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
    return {"pass": "pass", "needs the full run": "needs the full run"}.get(rec.get("status"),
                                                                          "FAIL")


def failed(rec: dict) -> bool:
    """The record missed an expected value or raised."""
    return status_of(rec) in ("FAIL", "ERROR")


def _expected_str(e: dict, note: bool = False) -> str:
    s = f"{e['op']} {e['value']:g} [{e.get('source', '?')}]"
    return s + (f" ({e['note']})" if note and e.get("note") else "")


def _counts(records: list[dict]) -> str:
    shown = [status_of(r) for r in records]
    n_full = shown.count("needs the full run")
    return (f"{shown.count('pass')}/{len(records)} experiments meet their expected values"
            + (f", {n_full} need the full run for the rest" if n_full else "")
            + f", {sum(s in ('FAIL', 'ERROR') for s in shown)} fail")


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


def summary_table(records: list[dict]) -> str:
    """A fixed-width text table for the terminal."""
    rows = [HEADER] + summary_rows(records)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(_counts(records))
    return "\n".join(lines)


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


def _md(records: list[dict], out: pathlib.Path, title: str) -> str:
    lines = [f"# {title}", "",
             f"Generated {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}. "
             f"{_counts(records)}.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in summary_rows(records):
        lines.append("| " + " | ".join(_md_escape(c) for c in row) + " |")
    for rec in records:
        lines += ["", f"## {rec['name']} — {status_of(rec)}", "",
                  f"*{_md_escape(rec.get('summary', ''))}* (source: {rec.get('source', '')}; "
                  f"seed {rec.get('seed')}, quick={rec.get('quick')})", ""]
        if rec.get("error"):
            lines += ["```", rec["error"].rstrip(), "```", ""]
        if rec.get("metrics"):
            lines += ["| metric | value | expected | ok |", "|---|---|---|---|"]
            for k, v, exp, ok in _metric_rows(rec, "**no**"):
                lines.append(f"| {k} | {_md_escape(v)} | {_md_escape(exp)} | {ok} |")
            lines.append("")
        for tname, rows in (rec.get("tables") or {}).items():
            if not rows:
                continue
            cols = list(rows[0])
            lines += [f"**{tname}**", "", "| " + " | ".join(cols) + " |",
                      "|" + "---|" * len(cols)]
            lines += ["| " + " | ".join(_md_escape(format_value(r.get(c, ""))) for c in cols)
                      + " |" for r in rows]
            lines.append("")
        for tname, text in (rec.get("text") or {}).items():
            lines += [f"**{tname}**", "", "```", str(text).rstrip(), "```", ""]
        for fig in rec.get("figures") or []:
            rel = os.path.relpath(fig, out) if os.path.isabs(fig) else fig
            lines += [f"![{pathlib.Path(fig).stem}]({rel})", ""]
    return "\n".join(lines) + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; font-size: 14px; }
th { background: #f2f2f2; }
.pass { color: #1a7f37; font-weight: bold; } .FAIL, .ERROR { color: #cf222e; font-weight: bold; }
.needs { color: #9a6700; font-weight: bold; }
img { max-width: 100%; border: 1px solid #ddd; margin: 6px 0; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 13px; }
section { border-top: 2px solid #eee; margin-top: 1.5em; }
"""


def _img_tag(fig: str, out: pathlib.Path) -> str:
    p = pathlib.Path(fig)
    if not p.is_absolute():
        p = out / p
    try:
        data = base64.b64encode(p.read_bytes()).decode("ascii")
    except OSError:
        return f"<p>missing figure {html.escape(str(fig))}</p>"
    return (f'<figure><img alt="{html.escape(p.stem)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(p.name)}</figcaption></figure>")


def _html(records: list[dict], out: pathlib.Path, title: str) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>",
             f"<p>Generated {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}. "
             f"<b>{e(_counts(records))}</b>.</p>",
             "<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in HEADER) + "</tr>"]
    for row in summary_rows(records):
        cells = [f"<td><a href='#{e(row[0])}'>{e(row[0])}</a></td>"]
        cells += [f"<td>{e(c)}</td>" for c in row[1:5]]
        cells += [f"<td class='{e(row[5])}'>{e(row[5])}</td>", f"<td>{e(row[6])}</td>"]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    for rec in records:
        st = status_of(rec)
        parts.append(f"<section id='{e(rec['name'])}'><h2>{e(rec['name'])} — "
                     f"<span class='{st}'>{st}</span></h2>")
        parts.append(f"<p><i>{e(rec.get('summary', ''))}</i> (source: {e(rec.get('source', ''))};"
                     f" seed {e(str(rec.get('seed')))}, quick={e(str(rec.get('quick')))}, "
                     f"{rec.get('seconds', 0):.1f} s)</p>")
        if rec.get("error"):
            parts.append(f"<pre>{e(rec['error'])}</pre>")
        if rec.get("metrics"):
            parts.append("<table><tr><th>metric</th><th>value</th><th>expected</th>"
                         "<th>ok</th></tr>")
            for k, v, exp, ok in _metric_rows(rec, "<span class='FAIL'>no</span>"):
                ok = ok if ok.startswith("<") else e(ok)
                parts.append(f"<tr><td>{e(k)}</td><td>{e(v)}</td><td>{e(exp)}</td>"
                             f"<td>{ok}</td></tr>")
            parts.append("</table>")
        for tname, rows in (rec.get("tables") or {}).items():
            if not rows:
                continue
            cols = list(rows[0])
            parts.append(f"<p><b>{e(tname)}</b></p><table><tr>"
                         + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
            for r in rows:
                parts.append("<tr>" + "".join(f"<td>{e(format_value(r.get(c, '')))}</td>"
                                              for c in cols) + "</tr>")
            parts.append("</table>")
        for tname, text in (rec.get("text") or {}).items():
            parts.append(f"<p><b>{e(tname)}</b></p><pre>{e(str(text))}</pre>")
        for fig in rec.get("figures") or []:
            parts.append(_img_tag(fig, out))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)



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
