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
    reference: str = "all"  # "all" or the reference cohort's name(s)
    reference_size: int = 0  # leaders in the reference group
    #: the coverage ledger's summary of the period (``coaching.coverage.leader_summary``); None: not known
    coverage: dict | None = None


def build_report(*, leader: str, leader_id: int, lang: str, generated: datetime, period, baseline_period,
                 current: dict[str, MetricValue], baseline: dict[str, MetricValue],
                 current_composites: dict, baseline_composites: dict, weekly: pd.DataFrame, tips: TipSet,
                 waiting: pd.DataFrame, goals: Sequence[GoalProgress] = (), session: SessionReport | None = None,
                 sessions: Sequence[SessionNote] = (), reference: str = "all",
                 reference_size: int = 0, coverage: dict | None = None) -> LeaderReport:
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
                        waiting=waiting, goals=list(goals), session=session, sessions=list(sessions),
                        reference=reference or "all", reference_size=int(reference_size or 0), coverage=coverage)


# --- CSV -------------------------------------------------------------------------------------------------
def _num(v, decimal: str = ".") -> str:
    if v is None or (isinstance(v, float) and (math.isnan(v))):
        return ""
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    return f"{float(v):.6g}".replace(".", decimal)


#: CSV dialects: "excel-fi" opens in Finnish Excel as columns (semicolons, decimal comma, UTF-8 BOM);
#: "standard" is plain RFC 4180 with dot decimals for scripts. Finnish reports use excel-fi by default.
CSV_DIALECTS = ("excel-fi", "standard")


def report_csv(report: LeaderReport, dialect: str | None = None) -> str:
    """Metrics of the report, one row per composite and component (columns: :data:`CSV_COLUMNS`).

    ``dialect`` defaults to ``excel-fi`` for a Finnish report and ``standard`` otherwise
    (see :data:`CSV_DIALECTS` and docs/REPORTS.md). Write the result as UTF-8: the excel-fi text
    starts with the byte-order mark Excel needs to read UTF-8."""
    dialect = dialect or ("excel-fi" if report.lang == "fi" else "standard")
    if dialect not in CSV_DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}")
    finnish = dialect == "excel-fi"
    buf = io.StringIO()
    if finnish:
        buf.write("\ufeff")
    w = _SafeDictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\r\n" if finnish else "\n",
                        delimiter=";" if finnish else ",")
    w.writeheader()
    mark = "," if finnish else "."

    def num(v) -> str:
        return _num(v, mark)

    common = {"leader": report.leader, "leader_id": report.leader_id,
              "period_start": report.period[0].isoformat(), "period_end": report.period[1].isoformat(),
              "baseline_start": report.baseline_period[0].isoformat(),
              "baseline_end": report.baseline_period[1].isoformat()}
    for d in report.composites:
        w.writerow({**common, "kind": "composite", "metric": d.key, "metric_name": d.name, "composite": "",
                    "unit": "percentile", "higher_is_better": "true", "value": num(d.current), "raw": "", "n": "",
                    "percentile": num(d.current), "baseline_value": num(d.baseline), "baseline_n": "",
                    "delta": num(d.delta), "evidence_ids": ""})
    for key, m in METRICS.items():
        c, b = report.current.get(key), report.baseline.get(key)
        cv = c.value if c is not None and c.ok else None
        bv = b.value if b is not None and b.ok else None
        delta = cv - bv if cv is not None and bv is not None and not (math.isinf(cv) or math.isinf(bv)) else None
        w.writerow({**common, "kind": "component", "metric": key, "metric_name": metric_name(key, report.lang),
                    "composite": m.composite or "", "unit": m.unit,
                    "higher_is_better": "true" if m.higher_is_better else "false", "value": num(cv),
                    "raw": num(c.raw if c else None), "n": num(c.n if c else 0),
                    "percentile": num(c.percentile if c else None), "baseline_value": num(bv),
                    "baseline_n": num(b.n if b else 0), "delta": num(delta),
                    "evidence_ids": " ".join(c.evidence) if c else ""})
    for row in coverage_csv_rows(report, num):
        w.writerow({**common, **row})
    return buf.getvalue()


# --- charts (shared geometry for SVG and PDF) ------------------------------------------------------------
def partial_week(report: LeaderReport):
    """Start of the last week when it is not over yet (its bucket is shorter than 7 days), else None."""
    w = report.weekly
    if "week" not in w or not len(w) or "bucket_end" not in w:
        return None
    last = w.sort_values("week").iloc[-1]
    end = pd.to_datetime(last["bucket_end"], utc=True)
    return last["week"] if end - last["week"] < pd.Timedelta(days=7) else None


def complete_weeks(report: LeaderReport) -> pd.DataFrame:
    """The weekly trend without a week that is still going on (a partial week is not a fair point)."""
    w = report.weekly.sort_values("week") if "week" in report.weekly else report.weekly
    cut = partial_week(report)
    return w[w["week"] < cut].reset_index(drop=True) if cut is not None else w.reset_index(drop=True)


def trend_series(report: LeaderReport) -> dict[str, list[tuple[int, float]]]:
    """Per composite: (week index, value 0–100) points over complete weeks, NaN weeks skipped."""
    out: dict[str, list[tuple[int, float]]] = {}
    w = complete_weeks(report)
    for comp in COMPOSITES:
        if comp not in w:
            continue
        pts = [(i, float(v)) for i, v in enumerate(w[comp].tolist()) if v is not None and not pd.isna(v)]
        out[comp] = pts
    return out


def date_ticks(weeks: list, lang: str, every: int = 4) -> list[tuple[int, str]]:
    """(index, label) for every ``every``-th week and the last one: "7.9." / "7 Sep", the year on
    the first label and wherever it changes."""
    from coaching.evidence import fmt_short_date

    picks = sorted(set(range(0, len(weeks), every)) | ({len(weeks) - 1} if weeks else set()))
    if len(picks) >= 2 and picks[-1] - picks[-2] < every / 2:
        picks.pop(-2)
    out, year = [], None
    for i in picks:
        d = pd.Timestamp(weeks[i])
        label = fmt_short_date(d, lang)
        if d.year != year:
            label = fmt_date(d, lang)
            year = d.year
        out.append((i, label))
    return out


def _svg_trend(report: LeaderReport, width: int = 640, height: int = 260) -> str:
    series = trend_series(report)
    weeks = complete_weeks(report)["week"].tolist() if "week" in report.weekly else []
    n = max(len(weeks), 2)
    left, right, top, bottom = 36, 130, 10, 28
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
    for i, label in date_ticks(weeks, report.lang):
        x, _ = xy(i, 0)
        parts.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" stroke="#999"/>'
                     f'<text x="{x:.1f}" y="{height - 6}" font-size="10" text-anchor="middle">{html.escape(label)}</text>')
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
    rows = [(d, d.percentile) for d in report.components if d.percentile is not None]
    bh, gap, left = 16, 6, 210
    height = max(40, len(rows) * (bh + gap) + 20)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart components" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}"><title>{html.escape(phrase("col.percentile", report.lang))}</title>']
    pw = width - left - 40
    for i, (d, pct) in enumerate(rows):
        y = 10 + i * (bh + gap)
        wv = pw * max(0.0, min(100.0, pct)) / 100
        color = "#2ca02c" if pct >= 60 else ("#d62728" if pct < 35 else "#f0ad4e")
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


def score_delta(delta: float | None) -> str:
    """A change of a 0–100 score: "+5", "−3", a neutral "±0", "–" when unknown."""
    if delta is None or (isinstance(delta, float) and (math.isnan(delta) or math.isinf(delta))):
        return "–"
    r = round(delta)
    return "±0" if r == 0 else (f"+{r}" if r > 0 else f"−{abs(r)}")


def delta_text(d: Delta, lang: str) -> str:
    return fmt_delta(d.key, d.delta, lang) if d.key in METRICS else score_delta(d.delta)


def _delta_cell(d: Delta, lang: str) -> str:
    neutral = delta_text(d, lang).startswith(("±", "–"))
    cls = "" if d.improved is None or neutral else (' class="up"' if d.improved else ' class="down"')
    return f"<td{cls}>{_e(delta_text(d, lang))}</td>"


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
    out.append(f'</table><p class="muted">{_e(reference_text(report))}</p>')
    out.append(coverage_html(report))
    out.append(f'<h2>{p("report.trend")}</h2>{_svg_trend(report)}')
    cut = partial_week(report)
    if cut is not None:
        out.append(f'<p class="muted">{p("report.partial_week", date=fmt_date(cut, lang))}</p>')
    out.append(f'<h2>{p("report.tips")}</h2>')
    if report.tips.tips:
        for t in report.tips.tips:
            out.append(f'<div class="tip"><div class="step">{_e(t.step_name)}</div><h3>{_e(t.title)}</h3>'
                       f'<p><b>{p("report.why")}:</b> {_e(t.why)}</p><p><b>{p("report.todo")}:</b> {_e(t.action)}</p>'
                       f'<details><summary>{p("report.evidence")}</summary>{_evidence_html(t.evidence)}</details></div>')
    else:
        out.append(f"<p>{_e(report.tips.message() or phrase('report.none', lang))}</p>")
    out.append(f'<h2>{p("report.waiting")}</h2><p>{_e(waiting_text(report))}</p>')
    if len(report.waiting):
        out.append(f'<table><tr><th>{p("col.author")}</th><th>{p("col.text")}</th><th>{p("col.age")}</th></tr>')
        for r in report.waiting.head(10).itertuples(index=False):
            link = f'<a href="{_e(safe_url(r.url))}">{_e(r.text)}</a>' if safe_url(r.url) else _e(r.text)
            out.append(f"<tr><td>{_e(r.author)}</td><td>{link}</td><td>{_e(fmt_hours(float(r.age_hours), lang))}</td></tr>")
        out.append("</table>")
    out.append(f'<h2>{p("report.components")}</h2>{_svg_bars(report)}')
    out.append(f'<table><tr><th>{p("col.metric")}</th><th>{p("col.value")}</th><th>{p("col.n")}</th>'
               f'<th>{p("col.percentile")}</th><th>{p("col.baseline")}</th><th>{p("col.delta")}</th></tr>')
    for d in report.components:
        out.append(f"<tr><td>{_e(d.name)}</td><td>{_e(fmt_value(d.key, d.current, lang))}</td><td>{d.n_current:.0f}</td>"
                   f"<td>{_e('–' if d.percentile is None else f'{d.percentile:.0f}')}</td>"
                   f"<td>{_e(fmt_value(d.key, d.baseline, lang))}</td>{_delta_cell(d, lang)}</tr>")
    out.append("</table>")
    out.append(coverage_html(report))
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
           f'<p class="muted">{p("report.compares", start=fmt_date(s.note.period_start, lang), end=fmt_date(s.note.period_end, lang), bstart=fmt_date(s.note.baseline_start, lang), bend=fmt_date(s.note.baseline_end, lang))}</p>']
    if s.previous_actions:
        out.append(f'<h3>{p("report.previous_actions")}</h3><ul>' + "".join(f"<li>{_e(a)}</li>" for a in s.previous_actions) + "</ul>")
    out.append(f'<table><tr><th>{p("col.metric")}</th><th>{p("col.value")}</th><th>{p("col.baseline")}</th><th>{p("col.delta")}</th></tr>')
    def val(key: str, v: float | None) -> str:
        if key in COMPOSITES:
            return "–" if v is None else f"{v:.0f}"
        return fmt_value(key, v, lang)

    for d in (*s.composites, *s.components):
        out.append(f"<tr><td>{_e(d.name)}</td><td>{_e(val(d.key, d.current))}</td><td>{_e(val(d.key, d.baseline))}</td>"
                   f"{_delta_cell(d, lang)}</tr>")
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
#: DejaVu Sans (Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic, many symbols), bundled from the
#: matplotlib wheel (coaching/fonts/LICENSE_DEJAVU): no system font package is needed.
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
#: Fallback fonts from PyPI packages (SIL Open Font License), added to a PDF only when its text needs
#: them (fpdf2's ``set_fallback_fonts``): family -> (module, attribute holding the font file's path).
#: Noto Sans CJK (Chinese, Japanese, Korean; package ``noto-cjk-sans-jp-regular``).
FALLBACK_FONTS = {"NotoSansCJK": ("noto_cjk_sans_jp_regular", "FONT_PATH")}
#: scripts written right to left or joined: drawn with text shaping (HarfBuzz, ``uharfbuzz``) and the
#: Unicode bidirectional algorithm, so Arabic and Hebrew read in order with joined letters
_SHAPED = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF))


def _pdf_font(pdf) -> str:
    for style, path in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(path))
    return "DejaVu"


_font_cmap: set[int] | None = None
_fallback_cmaps: dict[str, tuple[str, frozenset[int]] | None] = {}


def _covered() -> set[int]:
    global _font_cmap
    if _font_cmap is None:
        from fontTools.ttLib import TTFont

        with TTFont(str(FONT_FILES[""]), lazy=True) as font:
            regular = set(font.getBestCmap())
        with TTFont(str(FONT_FILES["B"]), lazy=True) as font:
            _font_cmap = regular & set(font.getBestCmap())
    return _font_cmap


def _fallback(family: str) -> tuple[str, frozenset[int]] | None:
    """(font file, the code points it draws) of an installed fallback font, or None without its package."""
    if family not in _fallback_cmaps:
        import importlib

        module, attr = FALLBACK_FONTS[family]
        try:
            path = str(getattr(importlib.import_module(module), attr))
        except (ImportError, AttributeError):
            _fallback_cmaps[family] = None
        else:
            from fontTools.ttLib import TTFont

            with TTFont(path, lazy=True, fontNumber=0) as font:
                _fallback_cmaps[family] = (path, frozenset(font.getBestCmap()))
    return _fallback_cmaps[family]


def _is_emoji(ch: str) -> bool:
    o = ord(ch)
    return (0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF or 0x1F900 <= o <= 0x1F9FF
            or o in (0x200D, 0xFE0F, 0xFE0E, 0x20E3) or 0x1F3FB <= o <= 0x1F3FF or 0xE0020 <= o <= 0xE007F)


def _emoji_name(chars: str) -> str:
    """An emoji as its name in brackets ("[thumbs up]", "[flag: Finland]"), from the ``emoji`` package's
    CLDR names (English), or Unicode's name when it has none."""
    import unicodedata

    import emoji

    data = emoji.EMOJI_DATA.get(chars) or emoji.EMOJI_DATA.get(chars.replace("\ufe0f", ""))
    if data and data.get("en"):
        name = data["en"].strip(":").replace("_", " ")
        if all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in chars):  # two regional indicators: a country's flag
            name = f"flag: {name}"
    else:
        name = " ".join(unicodedata.name(c, "").lower() for c in chars if unicodedata.name(c, ""))
    return f"[{name or 'emoji'}]"


def _script_name(ch: str) -> str:
    """The script of a character no font here draws, from its Unicode name ("DEVANAGARI LETTER HA" ->
    "Devanagari"), for a marker that says what is missing instead of a box."""
    import unicodedata

    name = unicodedata.name(ch, "")
    word = name.split(" ")[0].capitalize() if name else ""
    return word or "?"


class PdfText:
    """Text for one PDF: Finnish and every script DejaVu Sans or a fallback font covers is kept as it is
    (a fallback font is added to the document the first time its script appears); emoji the fonts cannot
    draw become their name in brackets ("[thumbs up]"); a run of any other script becomes a marker naming
    it ("[Devanagari]"). Never "□", never a character dropped without a trace. Right-to-left text turns
    on text shaping (HarfBuzz) for the document."""

    def __init__(self, pdf=None) -> None:
        self.pdf = pdf
        self.loaded: list[str] = []
        self.shaping = False

    def _use_fallback(self, family: str, path: str) -> None:
        if self.pdf is not None and family not in self.loaded:
            for style in ("", "B"):  # one face for both: bold CJK is drawn regular rather than not at all
                self.pdf.add_font(family, style, path)
            self.loaded.append(family)
            self.pdf.set_fallback_fonts(self.loaded, exact_match=False)

    def _shape(self) -> None:
        if self.pdf is not None and not self.shaping:
            try:
                self.pdf.set_text_shaping(True)
            except Exception:  # noqa: BLE001 - uharfbuzz missing: letters unjoined, but all there
                return
            self.shaping = True

    def __call__(self, s) -> str:
        import emoji

        s = "" if s is None else str(s)
        covered = _covered()
        if all(ord(ch) in covered for ch in s):  # the common case: DejaVu draws it all
            if self.pdf is not None and not self.shaping and any(
                    a <= ord(ch) <= b for ch in s if ord(ch) > 0x58F for a, b in _SHAPED):
                self._shape()
            return self._tidy(s)
        # emoji first, as whole sequences (skin tones, joiners, flags): drawn if one covered code point
        def emoji_out(chars: str, _data) -> str:
            bare = chars.replace("\ufe0f", "")
            return bare if len(bare) == 1 and ord(bare) in covered else f" {_emoji_name(chars)} "

        s = emoji.replace_emoji(s, replace=emoji_out)
        out: list[str] = []
        missing: str | None = None  # the script of the run of characters no font draws
        for ch in s:
            o = ord(ch)
            if o in covered or ch in "\n\t":
                keep = True
            elif _is_emoji(ch):  # a lone modifier or joiner left behind: invisible, nothing lost
                continue
            else:
                keep = False
                for family in FALLBACK_FONTS:
                    found = _fallback(family)
                    if found is not None and o in found[1]:
                        self._use_fallback(family, found[0])
                        keep = True
                        break
            if keep:
                if missing is not None:
                    out.append(f"[{missing}]")
                    missing = None
                if any(a <= o <= b for a, b in _SHAPED):
                    self._shape()
                out.append(ch)
            else:
                script = _script_name(ch)
                if missing is not None and missing != script:
                    out.append(f"[{missing}]")
                missing = script
        if missing is not None:
            out.append(f"[{missing}]")
        return self._tidy("".join(out))

    @staticmethod
    def _tidy(text: str) -> str:
        while "  " in text:
            text = text.replace("  ", " ")
        return text.replace(" \n", "\n").replace("\n ", "\n").strip(" ")


def pdf_text(s) -> str:
    """Text the PDF fonts can draw (:class:`PdfText`), for one string outside a document."""
    return PdfText()(s)


def _cut(s: str, limit: int) -> str:
    s = " ".join(str(s or "").split())
    return s if len(s) <= limit else s[: limit - 1].rsplit(" ", 1)[0] + "…"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _last_session(report: LeaderReport) -> SessionNote | None:
    if report.session is not None:
        return report.session.note
    return max(report.sessions, key=lambda s: (s.held_on, s.id or 0)) if report.sessions else None


def reference_text(report: LeaderReport) -> str:
    if report.reference and report.reference != "all":
        return phrase("report.reference.cohort", report.lang, group=report.reference, n=report.reference_size or "–")
    return phrase("report.reference.all", report.lang, n=report.reference_size or "–")


def waiting_text(report: LeaderReport) -> str:
    lang, w = report.lang, report.waiting
    if not len(w):
        return phrase("report.waiting_none", lang)
    oldest = fmt_hours(float(w["age_hours"].max()), lang)
    if len(w) == 1:
        return phrase("report.waiting_one", lang, age=oldest)
    return phrase("report.waiting_summary", lang, n=len(w), age=oldest)


# --- coverage ledger (issue #14): how complete the replies behind the responsiveness figures are ----------
def coverage_text(report: LeaderReport) -> str:
    """One sentence for next to the responsiveness figures: replies collected of those the platforms
    report, and the low-coverage warning (``coaching.coverage.LOW_COVERAGE``) when it applies."""
    from coaching.coverage import LOW_COVERAGE, MIN_REPORTED

    cov, lang = report.coverage, report.lang
    if not cov or not cov.get("reported"):
        return phrase("report.coverage.none", lang)
    share = _pct(cov["coverage"], lang) if cov.get("coverage") is not None else "–"
    key = "report.coverage.low" if cov.get("low_coverage") else "report.coverage.ok"
    return phrase(key, lang, collected=cov["collected"], reported=cov["reported"], share=share,
                  threshold=_pct(cov.get("threshold", LOW_COVERAGE), lang),
                  min=cov.get("min_reported", MIN_REPORTED))


def _pct(value: float, lang: str) -> str:
    from babel.numbers import format_percent

    from coaching.evidence import LOCALES

    return format_percent(value, format="#,##0\u00a0%" if lang == "fi" else "#,##0%", locale=LOCALES.get(lang, "en_GB"))


def coverage_html(report: LeaderReport) -> str:
    low = bool(report.coverage and report.coverage.get("low_coverage"))
    style = ' style="color:#b52a2a;font-weight:600"' if low else ""
    return f'<p class="{"coverage low" if low else "coverage muted"}"{style}>{_e(coverage_text(report))}</p>'


def coverage_pdf(report: LeaderReport, para) -> None:
    low = bool(report.coverage and report.coverage.get("low_coverage"))
    para(coverage_text(report), 8.5, muted=not low, bold=low)


def coverage_csv_rows(report: LeaderReport, num) -> list[dict]:
    """CSV rows of kind ``coverage``: ``reply_coverage`` (value = share collected, raw = collected,
    n = reported) and ``low_coverage`` (value 1 when flagged, else 0)."""
    cov = report.coverage
    if not cov:
        return []
    base = {"kind": "coverage", "composite": "responsiveness", "higher_is_better": "true", "percentile": "",
            "baseline_value": "", "baseline_n": "", "delta": "", "evidence_ids": ""}
    return [
        {**base, "metric": "reply_coverage", "metric_name": phrase("report.coverage.name", report.lang),
         "unit": "share", "value": num(cov.get("coverage")), "raw": num(cov.get("collected", 0)),
         "n": num(cov.get("reported", 0))},
        {**base, "metric": "low_coverage", "metric_name": phrase("report.coverage.flag", report.lang),
         "unit": "flag", "higher_is_better": "false", "value": "1" if cov.get("low_coverage") else "0", "raw": "",
         "n": num(cov.get("reported", 0))},
    ]


def report_pdf(report: LeaderReport) -> bytes:
    """The report as PDF. Page 1 is a one-page summary to hand over (the four scores with their
    change and reference group, this week's three tips, who is waiting and for how long, what was
    agreed last time); then the weekly trend with a dated axis and the components; then tips in
    detail, the conversations waiting, goals and the sparring session with the periods it compares."""
    from fpdf import FPDF

    lang = report.lang
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(16, 14, 16)
    family = _pdf_font(pdf)
    txt = PdfText(pdf)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def h1(s):
        pdf.set_font(family, "B", 17)
        pdf.set_text_color(20, 20, 20)
        pdf.multi_cell(0, 8, txt(s), new_x="LMARGIN", new_y="NEXT", align="L")

    def h2(s, space=3):
        pdf.ln(space)
        pdf.set_font(family, "B", 12)
        pdf.set_text_color(31, 111, 139)
        pdf.multi_cell(0, 6.5, txt(s), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(20, 20, 20)
        pdf.set_font(family, "", 9.5)

    def para(s, size=9.5, muted=False, bold=False, h=4.8):
        pdf.set_font(family, "B" if bold else "", size)
        pdf.set_text_color(*((100, 100, 100) if muted else (20, 20, 20)))
        pdf.multi_cell(0, h, txt(s), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(20, 20, 20)

    def bullet(s, size=9.5):
        pdf.set_font(family, "", size)
        x = pdf.l_margin
        pdf.set_x(x + 2)
        pdf.cell(4, 4.8, "•")
        pdf.multi_cell(width - 6, 4.8, txt(s), new_x="LMARGIN", new_y="NEXT", align="L")

    pdf.set_title(txt(phrase("report.title", lang, leader=report.leader)))
    pdf.set_author("Läsnä")
    pdf.set_lang(lang)

    # ---- page 1: the summary
    pdf.add_page()
    h1(phrase("report.title", lang, leader=report.leader))
    para(phrase("report.period", lang, start=fmt_date(report.period[0], lang), end=fmt_date(report.period[1], lang),
                bstart=fmt_date(report.baseline_period[0], lang), bend=fmt_date(report.baseline_period[1], lang)),
         9, muted=True)
    para(phrase("report.generated", lang, date=fmt_date(report.generated, lang)), 9, muted=True)
    h2(phrase("report.scores", lang))
    para(reference_text(report), 8.5, muted=True)
    pdf.ln(1.5)
    box_w, box_h, gap = (width - 3 * 4) / 4, 24, 4
    y = pdf.get_y()
    for i, d in enumerate(report.composites):
        x = pdf.l_margin + i * (box_w + gap)
        pdf.set_fill_color(246, 248, 250)
        pdf.set_draw_color(220, 224, 228)
        pdf.rect(x, y, box_w, box_h, style="DF")
        pdf.set_fill_color(*_rgb(TREND_COLORS.get(d.key, "#333333")))
        pdf.rect(x, y, 1.6, box_h, style="F")
        pdf.set_xy(x + 3.5, y + 2)
        pdf.set_font(family, "", 8.5)
        pdf.cell(box_w - 5, 4.5, txt(d.name))
        pdf.set_xy(x + 3.5, y + 7)
        pdf.set_font(family, "B", 17)
        pdf.cell(box_w - 5, 8, "–" if d.current is None else f"{d.current:.0f}")
        change = score_delta(d.delta)
        neutral = change.startswith(("±", "–")) or d.improved is None
        pdf.set_text_color(*((110, 110, 110) if neutral else ((42, 122, 42) if d.improved else (181, 42, 42))))
        pdf.set_xy(x + 3.5, y + 16.5)
        pdf.set_font(family, "", 8.5)
        pdf.cell(box_w - 5, 4.5, txt(phrase("report.change", lang, delta=change)))
        pdf.set_text_color(20, 20, 20)
    pdf.set_xy(pdf.l_margin, y + box_h + 1)
    coverage_pdf(report, para)

    h2(phrase("report.tips", lang), space=4)
    if report.tips.tips:
        for i, t in enumerate(report.tips.tips[:3], 1):
            para(f"{i}. {_cut(t.title, 110)}", 10, bold=True, h=5.2)
            para(f"{phrase('report.todo', lang)}: {_cut(t.action, 260)}", 9.5)
            pdf.ln(1.2)
    else:
        para(report.tips.message() or phrase("report.none", lang))

    h2(phrase("report.waiting", lang), space=3)
    para(waiting_text(report), 9.5)
    for r in report.waiting.head(3).itertuples(index=False):
        bullet(f"{r.author or '–'} ({fmt_hours(float(r.age_hours), lang)}): {_cut(r.text, 120)}", 9)

    last = _last_session(report)
    if last is None:
        h2(phrase("report.actions", lang), space=3)
        para(phrase("report.no_sessions", lang), muted=True)
    else:
        h2(phrase("report.last_actions", lang, date=fmt_date(last.held_on, lang)), space=3)
        if last.actions:
            for a in last.actions[:6]:
                bullet(_cut(a, 160))
        else:
            para(phrase("report.no_actions", lang), muted=True)
        if last.next_session:
            para(phrase("report.next_session", lang, date=fmt_date(last.next_session, lang)), 9, muted=True)

    # ---- page 2: trend and components
    pdf.add_page()
    h1(phrase("report.details", lang))
    h2(phrase("report.trend", lang))
    _pdf_trend(pdf, report, family, txt)
    cut = partial_week(report)
    if cut is not None:
        para(phrase("report.partial_week", lang, date=fmt_date(cut, lang)), 8, muted=True)
    h2(phrase("report.components", lang), space=5)
    _pdf_components(pdf, report, family, txt, width)
    coverage_pdf(report, para)

    # ---- page 3: tips in detail and the conversations waiting
    pdf.add_page()
    h2(phrase("report.tips", lang), space=0)
    if report.tips.tips:
        for t in report.tips.tips:
            pdf.set_font(family, "B", 10.5)
            pdf.multi_cell(0, 5.4, txt(t.title), new_x="LMARGIN", new_y="NEXT", align="L")
            para(t.step_name, 8.5, muted=True)
            para(f"{phrase('report.why', lang)}: {t.why}")
            para(f"{phrase('report.todo', lang)}: {t.action}")
            for e in t.evidence[:3]:
                para(f"  – {_cut(e.text, 100) + ' · ' if e.text else ''}{safe_url(e.url) or e.id}", 7.5, muted=True)
            pdf.ln(2.5)
    else:
        para(report.tips.message() or phrase("report.none", lang))
    h2(phrase("report.waiting", lang), space=4)
    para(waiting_text(report))
    for r in report.waiting.head(10).itertuples(index=False):
        bullet(f"{r.author or '–'} ({fmt_hours(float(r.age_hours), lang)}): {_cut(r.text, 220)}", 8.5)

    # ---- page 4: goals and the sparring session
    pdf.add_page()
    h2(phrase("report.goals", lang), space=0)
    if report.goals:
        for g in report.goals:
            label = g.goal.description or f"{metric_name(g.metric, lang)} {fmt_value(g.metric, g.goal.target, lang)}"
            bullet(f"{label} – {fmt_date(g.goal.deadline, lang)}: {metric_name(g.metric, lang)} "
                   f"{fmt_value(g.metric, g.current, lang)} → {fmt_value(g.metric, g.goal.target, lang)} "
                   f"({phrase('status.' + g.status, lang)})")
    else:
        para(phrase("report.none", lang))
    s = report.session
    if s is not None:
        h2(phrase("report.session", lang, date=fmt_date(s.note.held_on, lang)), space=5)
        para(phrase("report.compares", lang, start=fmt_date(s.note.period_start, lang),
                    end=fmt_date(s.note.period_end, lang), bstart=fmt_date(s.note.baseline_start, lang),
                    bend=fmt_date(s.note.baseline_end, lang)), 9, muted=True)
        if s.previous_actions:
            para(phrase("report.previous_actions", lang) + ": " + "; ".join(s.previous_actions))
        for d in (*s.composites, *s.components):
            if d.key in COMPOSITES:
                cur = "–" if d.current is None else f"{d.current:.0f}"
                base = "–" if d.baseline is None else f"{d.baseline:.0f}"
            else:
                cur, base = fmt_value(d.key, d.current, lang), fmt_value(d.key, d.baseline, lang)
            para(f"{d.name}: {base} → {cur} ({delta_text(d, lang)})", 8.5)
        for title, ev in (("report.best", s.best_examples), ("report.weakest", s.weakest_examples)):
            h2(phrase(title, lang))
            for e in ev:
                bullet(f"{(e.author + ': ') if e.kind == 'interaction' and e.author else ''}{_cut(e.text, 160)}", 8.5)
        if s.note.notes:
            h2(phrase("report.notes", lang))
            para(s.note.notes)
        if s.note.actions:
            h2(phrase("report.actions", lang))
            for a in s.note.actions:
                bullet(a)
        if s.note.next_session:
            para(phrase("report.next_session", lang, date=fmt_date(s.note.next_session, lang)))
    return bytes(pdf.output())


def _pdf_trend(pdf, report: LeaderReport, family: str, txt) -> None:
    """The weekly composites (0–100) over complete weeks: y gridlines, a dated x axis, legend below."""
    x0, y0 = pdf.l_margin + 8, pdf.get_y() + 2
    w, h = pdf.w - pdf.l_margin - pdf.r_margin - 10, 62
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    pdf.rect(x0, y0, w, h)
    pdf.set_font(family, "", 7.5)
    pdf.set_text_color(90, 90, 90)
    for v in (0, 25, 50, 75, 100):
        y = y0 + h * (1 - v / 100)
        pdf.set_draw_color(232, 232, 232)
        pdf.line(x0, y, x0 + w, y)
        pdf.text(x0 - 1 - pdf.get_string_width(str(v)), y + 1.2, str(v))
    weeks = complete_weeks(report)["week"].tolist() if "week" in report.weekly else []
    n = max(len(weeks), 2)
    for i, label in date_ticks(weeks, report.lang):
        x = x0 + w * i / (n - 1)
        pdf.set_draw_color(150, 150, 150)
        pdf.line(x, y0 + h, x, y0 + h + 1.5)
        label = txt(label)
        pdf.text(min(max(x - pdf.get_string_width(label) / 2, x0 - 4), x0 + w - pdf.get_string_width(label) + 2),
                 y0 + h + 5, label)
    for comp, pts in trend_series(report).items():
        r, g, b = _rgb(TREND_COLORS.get(comp, "#333333"))
        pdf.set_draw_color(r, g, b)
        pdf.set_fill_color(r, g, b)
        pdf.set_line_width(0.6)
        for (i1, v1), (i2, v2) in zip(pts, pts[1:]):
            pdf.line(x0 + w * i1 / (n - 1), y0 + h * (1 - v1 / 100), x0 + w * i2 / (n - 1), y0 + h * (1 - v2 / 100))
        for i, last in pts[-1:]:
            pdf.circle(x=x0 + w * i / (n - 1), y=y0 + h * (1 - last / 100), radius=0.9, style="F")
    # legend below the chart
    lx, ly = x0, y0 + h + 10
    pdf.set_font(family, "", 8.5)
    pdf.set_text_color(20, 20, 20)
    for comp in COMPOSITES:
        r, g, b = _rgb(TREND_COLORS.get(comp, "#333333"))
        pdf.set_fill_color(r, g, b)
        pdf.rect(lx, ly - 2.6, 6, 2.2, style="F")
        label = txt(metric_name(comp, report.lang))
        pdf.text(lx + 7.5, ly - 0.6, label)
        lx += 12 + pdf.get_string_width(label)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(ly + 3)


def _pdf_components(pdf, report: LeaderReport, family: str, txt, width: float) -> None:
    """One row per component: name, value (n), a percentile bar 0–100 and the baseline value."""
    lang = report.lang
    name_w, value_w, bar_w = 54, 44, width - 54 - 44 - 30
    pdf.set_font(family, "B", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(name_w, 5, txt(phrase("col.metric", lang)))
    pdf.cell(value_w, 5, txt(phrase("col.value", lang)))
    pdf.cell(bar_w, 5, txt(phrase("col.percentile", lang) + " 0–100"))
    pdf.cell(30, 5, txt(phrase("col.baseline", lang)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(20, 20, 20)
    for d in report.components:
        if pdf.get_y() > pdf.h - pdf.b_margin - 8:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_font(family, "", 8.5)
        pdf.cell(name_w, 5.6, txt(_cut(d.name, 34)))
        pdf.cell(value_w, 5.6, txt(f"{fmt_value(d.key, d.current, lang)} (n={d.n_current:.0f})"))
        bx = pdf.get_x()
        pdf.set_fill_color(238, 238, 238)
        pdf.rect(bx, y + 1.4, bar_w - 10, 2.8, style="F")
        if d.percentile is not None:
            pct = max(0.0, min(100.0, d.percentile))
            color = (44, 160, 44) if pct >= 60 else ((214, 39, 40) if pct < 35 else (240, 173, 78))
            pdf.set_fill_color(*color)
            pdf.rect(bx, y + 1.4, (bar_w - 10) * pct / 100, 2.8, style="F")
            pdf.set_font(family, "", 7.5)
            pdf.text(bx + (bar_w - 10) * pct / 100 + 1, y + 4, f"{pct:.0f}")
            pdf.set_font(family, "", 8.5)
        pdf.set_x(bx + bar_w)
        pdf.cell(30, 5.6, txt(_cut(fmt_value(d.key, d.baseline, lang), 22)), new_x="LMARGIN", new_y="NEXT")


def report_file_name(leader: str, lang: str, fmt: str) -> str:
    """``lasna-jari-makinen-fi.pdf``: ASCII only, whatever the leader's name holds."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", leader).encode("ascii", "ignore").decode()
    stem = "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split()).lower() or "leader"
    return f"lasna-{stem}-{lang}.{fmt}"


__all__ = ["CSV_COLUMNS", "CSV_DIALECTS", "LeaderReport", "build_report", "csv_cell", "report_csv", "report_file_name",
           "report_html", "report_pdf", "safe_url", "trend_series"]
