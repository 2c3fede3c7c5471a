"""Leader reports: one assembled :class:`LeaderReport`, rendered as self-contained HTML, PDF or CSV.

Pure: renderers return ``str``/``bytes``; writing files is the caller's job (``lasna report``).
Charts are inline SVG in HTML (no scripts, works offline) and the same shapes drawn as vector graphics
in the PDF (fpdf2). CSV columns are documented in ``docs/REPORTS.md`` and :data:`CSV_COLUMNS`.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from coaching.evidence import fmt_date, fmt_delta, fmt_hours, fmt_value
from coaching.goals import GoalProgress
from coaching.score_adapter import COMPOSITES, METRICS, MetricValue, metric_name
from coaching.sessions import SESSION_COMPONENTS, Delta, SessionReport
from coaching.texts import phrase
from coaching.tips import TipSet
from lasna.types import SessionNote

CSV_COLUMNS: dict[str, str] = {
    "leader": "leader's name",
    "leader_id": "leader's id",
    "period_start": "first day of the period (ISO date)",
    "period_end": "last day of the period (ISO date)",
    "baseline_start": "first day of the baseline period",
    "baseline_end": "last day of the baseline period",
    "kind": "composite | component",
    "metric": "metric key (coaching.definitions.METRICS or a composite)",
    "metric_name": "metric name in the report language",
    "composite": "composite the component feeds (empty for descriptive ones and composites)",
    "unit": "share (0–1) | points (difference of shares, −1–1) | hours | accounts | ... | percentile (0–100, composites)",
    "higher_is_better": "true | false",
    "value": "value in the period (shrunk rate for shares)",
    "raw": "unshrunk x/n (components only)",
    "n": "data points behind the value",
    "percentile": "percentile among the reference group (0–100)",
    "baseline_value": "value in the baseline period",
    "baseline_n": "data points behind the baseline value",
    "delta": "value − baseline_value",
    "evidence_ids": "ids of evidence posts/messages, separated by spaces",
}

# --- output safety: links and spreadsheet cells ------------------------------------------------------------
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$|^[+-]?inf$")


def safe_url(url) -> str | None:
    """``url`` when it is an absolute http(s) link with a host and no whitespace or control
    characters; None otherwise (``javascript:``, ``data:``, relative or malformed). Every link
    in a report goes through here."""
    if not isinstance(url, str) or not url or len(url) > 4000:
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def csv_cell(value):
    """A CSV cell that a spreadsheet will not run (OWASP CSV injection): text beginning with
    ``= + - @``, a tab or a carriage return gets a leading apostrophe; plain numbers such as
    ``-0.05`` stay numbers."""
    if isinstance(value, str) and value.startswith(_CSV_TRIGGERS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _csv_safe(value):
    # a bare CR is not quoted by the csv module when the line ends in LF: it would end the row in
    # a spreadsheet, so it becomes a (quoted) LF
    value = csv_cell(value)
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class _SafeDictWriter(csv.DictWriter):
    def writerow(self, rowdict):
        return super().writerow({k: _csv_safe(v) for k, v in rowdict.items()})


TREND_COLORS = {"openness": "#1f77b4", "responsiveness": "#d62728", "network": "#2ca02c", "consistency": "#9467bd"}


@dataclass
class LeaderReport:
    leader: str
    leader_id: int
    lang: str
    generated: datetime
    period: tuple[date, date]
    baseline_period: tuple[date, date]
    composites: tuple[Delta, ...]
    components: tuple[Delta, ...]
    current: dict[str, MetricValue]
    baseline: dict[str, MetricValue]
    weekly: pd.DataFrame  # leader's weekly composites: bucket, openness, responsiveness, network, consistency
    tips: TipSet
    waiting: pd.DataFrame
    goals: list[GoalProgress] = field(default_factory=list)
    session: SessionReport | None = None
    sessions: list[SessionNote] = field(default_factory=list)


def build_report(*, leader: str, leader_id: int, lang: str, generated: datetime, period, baseline_period,
                 current: dict[str, MetricValue], baseline: dict[str, MetricValue],
                 current_composites: dict, baseline_composites: dict, weekly: pd.DataFrame, tips: TipSet,
                 waiting: pd.DataFrame, goals: Sequence[GoalProgress] = (), session: SessionReport | None = None,
                 sessions: Sequence[SessionNote] = ()) -> LeaderReport:
    comps = tuple(Delta(k, metric_name(k, lang), current_composites.get(k), baseline_composites.get(k))
                  for k in COMPOSITES)
    parts = []
    for k in SESSION_COMPONENTS:
        c, b = current.get(k), baseline.get(k)
        parts.append(Delta(k, metric_name(k, lang), c.value if c and c.ok else None, b.value if b and b.ok else None,
                           c.n if c else 0, b.n if b else 0, c.percentile if c else None))
    w = weekly.copy()
    if "bucket" in w:
        w["week"] = pd.to_datetime(w["bucket"], utc=True)
    return LeaderReport(leader=leader, leader_id=leader_id, lang=lang, generated=generated, period=tuple(period),
                        baseline_period=tuple(baseline_period), composites=comps, components=tuple(parts),
                        current=dict(current), baseline=dict(baseline), weekly=w.reset_index(drop=True), tips=tips,
                        waiting=waiting, goals=list(goals), session=session, sessions=list(sessions))


# --- CSV -------------------------------------------------------------------------------------------------
def _num(v) -> str:
    if v is None or (isinstance(v, float) and (math.isnan(v))):
        return ""
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{float(v):.6g}"


def report_csv(report: LeaderReport) -> str:
    """Metrics of the report, one row per composite and component (columns: :data:`CSV_COLUMNS`)."""
    buf = io.StringIO()
    w = _SafeDictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    w.writeheader()
    common = {"leader": report.leader, "leader_id": report.leader_id,
              "period_start": report.period[0].isoformat(), "period_end": report.period[1].isoformat(),
              "baseline_start": report.baseline_period[0].isoformat(),
              "baseline_end": report.baseline_period[1].isoformat()}
    for d in report.composites:
        w.writerow({**common, "kind": "composite", "metric": d.key, "metric_name": d.name, "composite": "",
                    "unit": "percentile", "higher_is_better": "true", "value": _num(d.current), "raw": "", "n": "",
                    "percentile": _num(d.current), "baseline_value": _num(d.baseline), "baseline_n": "",
                    "delta": _num(d.delta), "evidence_ids": ""})
    for key, m in METRICS.items():
        c, b = report.current.get(key), report.baseline.get(key)
        cv = c.value if c is not None and c.ok else None
        bv = b.value if b is not None and b.ok else None
        delta = cv - bv if cv is not None and bv is not None and not (math.isinf(cv) or math.isinf(bv)) else None
        w.writerow({**common, "kind": "component", "metric": key, "metric_name": metric_name(key, report.lang),
                    "composite": m.composite or "", "unit": m.unit,
                    "higher_is_better": "true" if m.higher_is_better else "false", "value": _num(cv),
                    "raw": _num(c.raw if c else None), "n": _num(c.n if c else 0),
                    "percentile": _num(c.percentile if c else None), "baseline_value": _num(bv),
                    "baseline_n": _num(b.n if b else 0), "delta": _num(delta),
                    "evidence_ids": " ".join(c.evidence) if c else ""})
    return buf.getvalue()


# --- charts (shared geometry for SVG and PDF) ------------------------------------------------------------
def trend_series(report: LeaderReport) -> dict[str, list[tuple[int, float]]]:
    """Per composite: (week index, value 0–100) points, NaN weeks skipped."""
    out: dict[str, list[tuple[int, float]]] = {}
    w = report.weekly.sort_values("week") if "week" in report.weekly else report.weekly
    for comp in COMPOSITES:
        if comp not in w:
            continue
        pts = [(i, float(v)) for i, v in enumerate(w[comp].tolist()) if v is not None and not pd.isna(v)]
        out[comp] = pts
    return out


def _svg_trend(report: LeaderReport, width: int = 640, height: int = 240) -> str:
    series = trend_series(report)
    n = max(len(report.weekly), 2)
    left, right, top, bottom = 36, 120, 10, 24
    pw, ph = width - left - right, height - top - bottom

    def xy(i, v):
        return left + pw * i / (n - 1), top + ph * (1 - v / 100)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart trend" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{html.escape(phrase("report.trend", report.lang))}</title>',
             f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ddd"/>']
    for v in (0, 25, 50, 75, 100):
        _, y = xy(0, v)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{v}</text>')
    if "week" in report.weekly and len(report.weekly):
        weeks = report.weekly.sort_values("week")["week"].tolist()
        for i in (0, len(weeks) - 1):
            x, _ = xy(i, 0)
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="10" text-anchor="middle">'
                         f'{html.escape(fmt_date(weeks[i], report.lang))}</text>')
    for j, (comp, pts) in enumerate(series.items()):
        color = TREND_COLORS.get(comp, "#333")
        if pts:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in pts))
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        ly = top + 14 + 18 * j
        parts.append(f'<rect x="{left + pw + 10}" y="{ly - 8}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{left + pw + 24}" y="{ly + 1}" font-size="11">{html.escape(metric_name(comp, report.lang))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_bars(report: LeaderReport, width: int = 640) -> str:
    rows = [d for d in report.components if d.percentile is not None]
    bh, gap, left = 16, 6, 210
    height = max(40, len(rows) * (bh + gap) + 20)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart components" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{html.escape(phrase("col.percentile", report.lang))}</title>']
    pw = width - left - 40
    for i, d in enumerate(rows):
        y = 10 + i * (bh + gap)
        wv = pw * max(0.0, min(100.0, d.percentile)) / 100
        color = "#2ca02c" if d.percentile >= 60 else ("#d62728" if d.percentile < 35 else "#f0ad4e")
        parts.append(f'<text x="{left - 6}" y="{y + 12}" font-size="11" text-anchor="end">{html.escape(d.name)}</text>'
                     f'<rect x="{left}" y="{y}" width="{pw}" height="{bh}" fill="#f3f3f3"/>'
                     f'<rect x="{left}" y="{y}" width="{wv:.1f}" height="{bh}" fill="{color}"/>'
                     f'<text x="{left + wv + 4:.1f}" y="{y + 12}" font-size="10">{d.percentile:.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- HTML ------------------------------------------------------------------------------------------------
_CSS = """body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:860px;margin:2em auto;color:#222;
line-height:1.45;padding:0 1em}h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;font-size:.92em}td,th{border-bottom:1px solid #eee;padding:.3em .5em;text-align:left}
th{background:#f7f7f7}.tip{border-left:4px solid #1f77b4;padding:.4em .9em;margin:1em 0;background:#f9fbfd}
.step{color:#666;font-size:.85em}.muted{color:#666;font-size:.9em}.up{color:#2a7a2a}.down{color:#b52a2a}
@media print{body{margin:0}}"""


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


def _delta_cell(d: Delta, lang: str) -> str:
    cls = "" if d.improved is None else (' class="up"' if d.improved else ' class="down"')
    key = d.key if d.key in METRICS else "__composite__"
    text = fmt_delta(key, d.delta, lang) if d.key in METRICS else (
        "–" if d.delta is None else f"{d.delta:+.0f}")
    return f"<td{cls}>{_e(text)}</td>"


def _evidence_html(ev) -> str:
    items = []
    for e in ev:
        label = _e((e.author + ": ") if e.author and e.kind == "interaction" else "") + _e(
            (e.text[:140] + "…") if len(e.text) > 140 else e.text)
        url = safe_url(e.url)
        items.append(f'<li><a href="{_e(url)}">{label or _e(e.id)}</a></li>' if url else f"<li>{label or _e(e.id)}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else ""


def report_html(report: LeaderReport) -> str:
    lang = report.lang
    p = lambda k, **kw: _e(phrase(k, lang, **kw))  # noqa: E731
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f'<title>{p("report.title", leader=report.leader)}</title><style>{_CSS}</style></head><body>',
           f'<h1>{p("report.title", leader=report.leader)}</h1>',
           f'<p class="muted">{p("report.period", start=fmt_date(report.period[0], lang), end=fmt_date(report.period[1], lang), bstart=fmt_date(report.baseline_period[0], lang), bend=fmt_date(report.baseline_period[1], lang))}<br>'
           f'{p("report.generated", date=fmt_date(report.generated, lang))}</p>',
           f'<h2>{p("report.composites")}</h2><table><tr><th>{p("col.metric")}</th><th>{p("col.value")}</th>'
           f'<th>{p("col.baseline")}</th><th>{p("col.delta")}</th></tr>']
    for d in report.composites:
        out.append(f"<tr><td>{_e(d.name)}</td><td>{_e('–' if d.current is None else f'{d.current:.0f}')}</td>"
                   f"<td>{_e('–' if d.baseline is None else f'{d.baseline:.0f}')}</td>{_delta_cell(d, lang)}</tr>")
    out.append("</table>")
    out.append(f'<h2>{p("report.trend")}</h2>{_svg_trend(report)}')
    out.append(f'<h2>{p("report.tips")}</h2>')
    if report.tips.tips:
        for t in report.tips.tips:
            out.append(f'<div class="tip"><div class="step">{_e(t.step_name)}</div><h3>{_e(t.title)}</h3>'
                       f'<p><b>{p("report.why")}:</b> {_e(t.why)}</p><p><b>{p("report.todo")}:</b> {_e(t.action)}</p>'
                       f'<details><summary>{p("report.evidence")}</summary>{_evidence_html(t.evidence)}</details></div>')
    else:
        out.append(f"<p>{_e(report.tips.message() or phrase('report.none', lang))}</p>")
    out.append(f'<h2>{p("report.waiting")}</h2>')
    if len(report.waiting):
        out.append(f'<table><tr><th>{p("col.author")}</th><th>{p("col.text")}</th><th>{p("col.age")}</th></tr>')
        for r in report.waiting.head(10).itertuples(index=False):
            link = f'<a href="{_e(safe_url(r.url))}">{_e(r.text)}</a>' if safe_url(r.url) else _e(r.text)
            out.append(f"<tr><td>{_e(r.author)}</td><td>{link}</td><td>{_e(fmt_hours(float(r.age_hours), lang))}</td></tr>")
        out.append("</table>")
    else:
        out.append(f"<p>{p('report.none')}</p>")
    out.append(f'<h2>{p("report.components")}</h2>{_svg_bars(report)}')
    out.append(f'<table><tr><th>{p("col.metric")}</th><th>{p("col.value")}</th><th>{p("col.n")}</th>'
               f'<th>{p("col.percentile")}</th><th>{p("col.baseline")}</th><th>{p("col.delta")}</th></tr>')
    for d in report.components:
        out.append(f"<tr><td>{_e(d.name)}</td><td>{_e(fmt_value(d.key, d.current, lang))}</td><td>{d.n_current:.0f}</td>"
                   f"<td>{_e('–' if d.percentile is None else f'{d.percentile:.0f}')}</td>"
                   f"<td>{_e(fmt_value(d.key, d.baseline, lang))}</td>{_delta_cell(d, lang)}</tr>")
    out.append("</table>")
    if report.goals:
        out.append(f'<h2>{p("report.goals")}</h2><table><tr><th>{p("col.goal")}</th><th>{p("col.deadline")}</th>'
                   f'<th>{p("col.value")}</th><th>{p("col.status")}</th></tr>')
        for g in report.goals:
            label = g.goal.description or f"{metric_name(g.metric, lang)} {fmt_value(g.metric, g.goal.target, lang)}"
            out.append(f"<tr><td>{_e(label)}</td><td>{_e(fmt_date(g.goal.deadline, lang))}</td>"
                       f"<td>{_e(fmt_value(g.metric, g.current, lang))}</td><td>{p('status.' + g.status)}</td></tr>")
        out.append("</table>")
    if report.session is not None:
        out.append(_session_html(report.session, lang))
    out.append("</body></html>")
    return "".join(out)


def _session_html(s: SessionReport, lang: str) -> str:
    p = lambda k, **kw: _e(phrase(k, lang, **kw))  # noqa: E731
    out = [f'<h2>{p("report.session", date=fmt_date(s.note.held_on, lang))}</h2>',
           f'<p class="muted">{p("report.period", start=fmt_date(s.note.period_start, lang), end=fmt_date(s.note.period_end, lang), bstart=fmt_date(s.note.baseline_start, lang), bend=fmt_date(s.note.baseline_end, lang))}</p>']
    if s.previous_actions:
        out.append(f'<h3>{p("report.previous_actions")}</h3><ul>' + "".join(f"<li>{_e(a)}</li>" for a in s.previous_actions) + "</ul>")
    out.append(f'<table><tr><th>{p("col.metric")}</th><th>{p("col.value")}</th><th>{p("col.baseline")}</th><th>{p("col.delta")}</th></tr>')
    for d in (*s.composites, *s.components):
        val = (lambda v: "–" if v is None else f"{v:.0f}") if d.key in COMPOSITES else (lambda v, k=d.key: fmt_value(k, v, lang))
        out.append(f"<tr><td>{_e(d.name)}</td><td>{_e(val(d.current))}</td><td>{_e(val(d.baseline))}</td>{_delta_cell(d, lang)}</tr>")
    out.append("</table>")
    out.append(f'<h3>{p("report.best")}</h3>{_evidence_html(s.best_examples) or p("report.none")}')
    out.append(f'<h3>{p("report.weakest")}</h3>{_evidence_html(s.weakest_examples) or p("report.none")}')
    if s.note.notes:
        out.append(f'<h3>{p("report.notes")}</h3><p>{_e(s.note.notes)}</p>')
    if s.note.actions:
        out.append(f'<h3>{p("report.actions")}</h3><ul>' + "".join(f"<li>{_e(a)}</li>" for a in s.note.actions) + "</ul>")
    if s.note.next_session:
        out.append(f"<p><b>{p('report.next_session', date=fmt_date(s.note.next_session, lang))}</b></p>")
    return "".join(out)


# --- PDF -------------------------------------------------------------------------------------------------
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"), Path("/Library/Fonts"))


def _pdf_font(pdf) -> tuple[str, bool]:
    """DejaVu Sans (full Unicode) when installed, else the core Helvetica (Latin-1 only)."""
    for d in FONT_DIRS:
        reg, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if reg.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(reg))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "Helvetica", False


_LATIN1 = str.maketrans({"–": "-", "—": "-", "−": "-", "“": '"', "”": '"', "’": "'", "…": "...", "→": "->",
                         "ₙ": "n", "≥": ">=", "≤": "<=", "·": "*", "±": "+/-"})


def report_pdf(report: LeaderReport) -> bytes:
    """The report as PDF: page 1 overview + trend chart + components, page 2 tips and conversations
    waiting, page 3 goals and the sparring session (always three pages or more)."""
    from fpdf import FPDF

    lang = report.lang
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    family, unicode_ok = _pdf_font(pdf)

    def txt(s) -> str:
        s = "" if s is None else str(s)
        if unicode_ok:
            return s
        return s.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def h1(s):
        pdf.set_font(family, "B", 16)
        pdf.multi_cell(0, 8, txt(s), new_x="LMARGIN", new_y="NEXT")

    def h2(s):
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 7, txt(s), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)

    def para(s, size=9):
        pdf.set_font(family, "", size)
        pdf.multi_cell(0, 4.6, txt(s), new_x="LMARGIN", new_y="NEXT")

    pdf.set_title(txt(phrase("report.title", lang, leader=report.leader)))
    pdf.set_author("Läsnä" if unicode_ok else "Lasna")
    # page 1
    pdf.add_page()
    h1(phrase("report.title", lang, leader=report.leader))
    para(phrase("report.period", lang, start=fmt_date(report.period[0], lang), end=fmt_date(report.period[1], lang),
                bstart=fmt_date(report.baseline_period[0], lang), bend=fmt_date(report.baseline_period[1], lang)))
    para(phrase("report.generated", lang, date=fmt_date(report.generated, lang)))
    h2(phrase("report.composites", lang))
    for d in report.composites:
        cur = "–" if d.current is None else f"{d.current:.0f}"
        base = "–" if d.baseline is None else f"{d.baseline:.0f}"
        para(f"{d.name}: {cur}   ({phrase('col.baseline', lang)} {base})")
    h2(phrase("report.trend", lang))
    _pdf_trend(pdf, report, family, txt)
    h2(phrase("report.components", lang))
    for d in report.components:
        pct = "–" if d.percentile is None else f"{d.percentile:.0f}"
        para(f"{d.name}: {fmt_value(d.key, d.current, lang)}  (n={d.n_current:.0f}, "
             f"{phrase('col.percentile', lang)} {pct}; {phrase('col.baseline', lang)} {fmt_value(d.key, d.baseline, lang)})", 8)
    # page 2
    pdf.add_page()
    h2(phrase("report.tips", lang))
    if report.tips.tips:
        for t in report.tips.tips:
            pdf.set_font(family, "B", 10)
            pdf.multi_cell(0, 5, txt(f"{t.title}  [{t.step_name}]"), new_x="LMARGIN", new_y="NEXT")
            para(f"{phrase('report.why', lang)}: {t.why}")
            para(f"{phrase('report.todo', lang)}: {t.action}")
            for e in t.evidence[:3]:
                para(f"  - {safe_url(e.url) or e.id}", 7)
            pdf.ln(2)
    else:
        para(report.tips.message() or phrase("report.none", lang))
    h2(phrase("report.waiting", lang))
    if len(report.waiting):
        for r in report.waiting.head(10).itertuples(index=False):
            para(f"{r.author} ({fmt_hours(float(r.age_hours), lang)}): {r.text}", 8)
    else:
        para(phrase("report.none", lang))
    # page 3
    pdf.add_page()
    h2(phrase("report.goals", lang))
    if report.goals:
        for g in report.goals:
            label = g.goal.description or f"{metric_name(g.metric, lang)} {fmt_value(g.metric, g.goal.target, lang)}"
            para(f"{label} – {fmt_date(g.goal.deadline, lang)}: {fmt_value(g.metric, g.current, lang)} "
                 f"({phrase('status.' + g.status, lang)})")
    else:
        para(phrase("report.none", lang))
    s = report.session
    if s is not None:
        h2(phrase("report.session", lang, date=fmt_date(s.note.held_on, lang)))
        if s.previous_actions:
            para(phrase("report.previous_actions", lang) + ": " + "; ".join(s.previous_actions))
        for d in (*s.composites, *s.components):
            if d.key in COMPOSITES:
                cur = "–" if d.current is None else f"{d.current:.0f}"
                base = "–" if d.baseline is None else f"{d.baseline:.0f}"
            else:
                cur, base = fmt_value(d.key, d.current, lang), fmt_value(d.key, d.baseline, lang)
            para(f"{d.name}: {base} -> {cur}", 8)
        for title, ev in (("report.best", s.best_examples), ("report.weakest", s.weakest_examples)):
            h2(phrase(title, lang))
            for e in ev:
                para(f"- {(e.author + ': ') if e.kind == 'interaction' and e.author else ''}{e.text[:160]}", 8)
        if s.note.notes:
            h2(phrase("report.notes", lang))
            para(s.note.notes)
        if s.note.actions:
            h2(phrase("report.actions", lang))
            for a in s.note.actions:
                para(f"- {a}")
        if s.note.next_session:
            para(phrase("report.next_session", lang, date=fmt_date(s.note.next_session, lang)))
    return bytes(pdf.output())


def _pdf_trend(pdf, report: LeaderReport, family: str, txt) -> None:
    x0, y0 = pdf.get_x(), pdf.get_y() + 2
    w, h = 140, 50
    if y0 + h + 10 > pdf.h - pdf.b_margin:
        pdf.add_page()
        x0, y0 = pdf.get_x(), pdf.get_y() + 2
    pdf.set_draw_color(200, 200, 200)
    pdf.rect(x0, y0, w, h)
    pdf.set_font(family, "", 7)
    for v in (0, 50, 100):
        y = y0 + h * (1 - v / 100)
        pdf.line(x0, y, x0 + w, y)
        pdf.text(x0 - 6, y + 1, str(v))
    n = max(len(report.weekly), 2)
    for j, (comp, pts) in enumerate(trend_series(report).items()):
        color = TREND_COLORS.get(comp, "#333333")
        r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
        pdf.set_draw_color(r, g, b)
        pdf.set_line_width(0.5)
        for (i1, v1), (i2, v2) in zip(pts, pts[1:]):
            pdf.line(x0 + w * i1 / (n - 1), y0 + h * (1 - v1 / 100), x0 + w * i2 / (n - 1), y0 + h * (1 - v2 / 100))
        pdf.set_fill_color(r, g, b)
        pdf.rect(x0 + w + 4, y0 + 4 + 6 * j, 3, 3, style="F")
        pdf.text(x0 + w + 9, y0 + 6.5 + 6 * j, txt(metric_name(comp, report.lang)))
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(y0 + h + 4)


__all__ = ["CSV_COLUMNS", "LeaderReport", "build_report", "csv_cell", "report_csv", "report_html", "report_pdf",
           "safe_url", "trend_series"]
