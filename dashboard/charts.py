"""Frames in, Plotly figures out. No Streamlit and no I/O here.

Every chart has a dated x axis, the legend below the plot (readable at phone width), the title at the
top left, and the Plotly toolbar hidden (:data:`CONFIG`). A period that is not over yet is never drawn
as if it were: the current week's bars are pale and labelled, the current month's score is an open
marker (or left out when it holds less than a week), and the cohort bands stop at the last full week.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import t

COMPOSITES = ("openness", "responsiveness", "network", "consistency")
COMPOSITE_COLOURS = {"openness": "#1f6f8b", "responsiveness": "#e07a5f", "network": "#81b29a", "consistency": "#f2cc8f"}
#: Plotly's month names are English only; Finnish axes use numeric dates (d.m.yyyy)
DATE_TICKS = {"fi": "%-d.%-m.%Y", "en": "%-d %b %Y"}
MONTH_TICKS = {"fi": "%-m/%Y", "en": "%b %Y"}
KIND_COLOURS = {"post": "#1f6f8b", "reply": "#e07a5f", "thread": "#99c1b9", "repost": "#c9c9c9"}
#: for st.plotly_chart(config=...): no toolbar over the title on a phone, no scroll-zoom trap
CONFIG = {"displayModeBar": False, "scrollZoom": False, "responsive": True}


def _now(now) -> pd.Timestamp:
    ts = pd.Timestamp(now if now is not None else datetime.now(UTC))
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _naive(ts) -> pd.Timestamp:
    ts = pd.Timestamp(ts)
    return ts.tz_convert(None) if ts.tzinfo is not None else ts


def _layout(title: str, lang: str, *, height: int, ytitle: str, tickformat: str | None = None, xtitle: str = "",
            **extra) -> dict:
    return dict(
        title=dict(text=title, x=0, xanchor="left", y=0.98, yanchor="top", font=dict(size=15)),
        margin=dict(l=8, r=8, t=44, b=64), height=height,
        # below everything (the dated axis and its title), whatever the width: its own strip at the bottom
        legend=dict(orientation="h", yref="container", yanchor="bottom", y=0, x=0, xanchor="left", title_text=""),
        xaxis=dict(title=dict(text=xtitle), tickformat=tickformat or DATE_TICKS[lang], automargin=True, nticks=6),
        yaxis=dict(title=dict(text=ytitle), automargin=True, rangemode="tozero"),
        hovermode="x unified", **extra,
    )


def partial_week_start(now=None) -> pd.Timestamp:
    """Monday 00:00 (UTC, naive) of the week ``now`` falls in: that week is not over yet."""
    n = _naive(_now(now))
    return (n - pd.Timedelta(days=n.weekday())).normalize()


def weekly_posts(activity: pd.DataFrame, lang: str, *, stacked_by: str = "kind", marker=None, now=None,
                 span=None) -> go.Figure:
    """Stacked bars of posts per week by kind (one leader) or lines per leader (several).
    The current week is drawn pale and labelled "not over yet".
    Built from graph_objects traces (plotly.express costs ~0.1 s per figure)."""
    layout = _layout(t("chart.weekly", lang), lang, height=360, ytitle=t("chart.count", lang), barmode="stack",
                     xtitle=t("chart.week", lang))
    if activity.empty or not activity["count"].any():  # still a dated axis, and a word instead of empty bars
        fig = go.Figure(layout=layout)
        fig.update_xaxes(type="date", range=[_naive(v) for v in span] if span else None)
        fig.update_yaxes(range=[0, 1], showticklabels=False)
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", text=t("chart.no_posts", lang), showarrow=False,
                           font=dict(size=14, color="#666"))
        return fig
    current = partial_week_start(now)
    traces = []
    if stacked_by == "kind":
        wide = activity.pivot_table(index="week", columns="kind", values="count", aggfunc="sum", fill_value=0)
        opacity = [0.35 if _naive(w) >= current else 1.0 for w in wide.index]
        for kind in KIND_COLOURS:
            if kind in wide.columns and wide[kind].any():
                traces.append(go.Bar(x=wide.index, y=wide[kind], name=t(f"kind.{kind}", lang),
                                     marker=dict(color=KIND_COLOURS[kind], opacity=opacity)))
    else:
        wide = activity.pivot_table(index="week", columns="leader", values="count", aggfunc="sum", fill_value=0)
        wide = wide[[_naive(w) < current for w in wide.index]]  # a line would dive at the unfinished week
        for leader in wide.columns:
            traces.append(go.Scatter(x=wide.index, y=wide[leader], name=str(leader), mode="lines"))
    fig = go.Figure(data=traces, layout=layout)
    if len(wide.index):  # the weeks shown, not an autorange that runs into next month
        fig.update_xaxes(range=[_naive(wide.index.min()) - pd.Timedelta(days=4), _naive(wide.index.max()) + pd.Timedelta(days=4)])
    if stacked_by == "kind" and any(_naive(w) >= current for w in wide.index):
        fig.add_annotation(x=current + pd.Timedelta(days=4), y=1, yref="paper", text=t("chart.partial_week", lang),
                           showarrow=False, xanchor="right", yanchor="bottom", font=dict(size=11, color="#666"))
    if marker is not None:  # where the period starts (the rest is the baseline)
        fig.add_vline(x=_naive(marker).timestamp() * 1000, line_dash="dash", line_color="#555")
    return fig


def complete_bands(bands: pd.DataFrame, now=None) -> pd.DataFrame:
    """Cohort bands without the week that is still going on (its median would fall towards 0)
    and without weeks where no member has data."""
    if bands.empty:
        return bands
    keep = (pd.to_datetime(bands["week"]).map(_naive) < partial_week_start(now)) & bands["p50"].notna()
    return bands[keep].reset_index(drop=True)


def cohort_bands(bands: pd.DataFrame, own: pd.DataFrame | None, lang: str, *, now=None) -> go.Figure:
    """The cohort's weekly posts per member: the 25–75th percentile band, the median, and
    (for a member) their own line, over complete weeks. Nothing here identifies another member."""
    fig = go.Figure(layout=_layout(t("chart.cohort_weekly", lang), lang, height=360, ytitle=t("chart.count", lang),
                                   xtitle=t("chart.week", lang)))
    bands = complete_bands(bands, now)
    if bands.empty:
        return fig
    fig.add_trace(go.Scatter(x=bands["week"], y=bands["p75"], mode="lines", line=dict(width=0), showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=bands["week"], y=bands["p25"], mode="lines", line=dict(width=0), fill="tonexty",
                             fillcolor="rgba(31,111,139,0.2)", name=t("chart.band", lang)))
    fig.add_trace(go.Scatter(x=bands["week"], y=bands["p50"], mode="lines", line=dict(color="#1f6f8b"),
                             name=t("chart.median", lang)))
    if own is not None and not own.empty:
        own = own[pd.to_datetime(own["week"]).map(_naive) < partial_week_start(now)]
        fig.add_trace(go.Scatter(x=own["week"], y=own["count"], mode="lines+markers", line=dict(color="#e07a5f"),
                                 name=t("chart.you", lang)))
    return fig


def month_coverage(trend: pd.DataFrame) -> pd.Series:
    """Days of data behind each monthly bucket (from ``bucket``/``bucket_end`` when present)."""
    if "bucket_end" not in trend or "bucket" not in trend:
        return pd.Series(31.0, index=trend.index)
    start = pd.to_datetime(trend["bucket"], utc=True)
    end = pd.to_datetime(trend["bucket_end"], utc=True)
    return (end - start).dt.total_seconds() / 86400


def composite_trend(trend: pd.DataFrame, lang: str) -> go.Figure:
    """The four composites (0–100, percentile-based) per month. A month with less than a week of data
    is left out; a month not fully covered (the current one) is an open marker on a dotted line."""
    fig = go.Figure(layout=_layout(t("chart.composites", lang), lang, height=330, ytitle=t("chart.score", lang),
                                   tickformat=MONTH_TICKS[lang]))
    fig.update_yaxes(range=[0, 100], rangemode="normal")
    if trend.empty:
        return fig
    days = month_coverage(trend)
    trend = trend[days >= 7].assign(_days=days[days >= 7]).sort_values("period_start")
    partial = (trend["_days"] < 27).to_numpy()
    symbols = np.where(partial, "circle-open", "circle")
    last_partial = bool(len(trend)) and bool(partial[-1])
    for name in COMPOSITES:
        if name not in trend:
            continue
        colour = COMPOSITE_COLOURS[name]
        body = trend.iloc[:-1] if last_partial else trend
        fig.add_trace(go.Scatter(x=body["period_start"], y=body[name], mode="lines+markers", legendgroup=name,
                                 name=t(f"composite.{name}", lang), line=dict(color=colour),
                                 marker=dict(symbol=symbols[: len(body)], size=8)))
        if last_partial:  # the current month: dotted from the month before, open marker
            tail = trend.iloc[-2:]
            fig.add_trace(go.Scatter(x=tail["period_start"], y=tail[name], mode="lines+markers", legendgroup=name,
                                     showlegend=False, line=dict(color=colour, dash="dot"),
                                     marker=dict(symbol=symbols[-len(tail):], size=9),
                                     hovertemplate="%{y:.0f} (" + t("chart.partial_month", lang) + ")<extra></extra>"))
    if partial.any():
        fig.add_annotation(x=1, y=1.0, xref="paper", yref="paper", text="○ " + t("chart.partial_month", lang),
                           showarrow=False, xanchor="right", yanchor="bottom", font=dict(size=11, color="#666"))
    return fig
