"""Frames in, Plotly figures out. No Streamlit and no I/O here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import t

COMPOSITES = ("openness", "responsiveness", "network", "consistency")
COMPOSITE_COLOURS = {"openness": "#1f6f8b", "responsiveness": "#e07a5f", "network": "#81b29a", "consistency": "#f2cc8f"}
#: Plotly's month names are English only; Finnish axes use numeric dates (d.m.yyyy)
DATE_TICKS = {"fi": "%-d.%-m.%Y", "en": "%-d %b %Y"}
KIND_COLOURS = {"post": "#1f6f8b", "reply": "#e07a5f", "thread": "#99c1b9", "repost": "#c9c9c9"}


def weekly_posts(activity: pd.DataFrame, lang: str, *, stacked_by: str = "kind", marker=None) -> go.Figure:
    """Stacked bars of posts per week by kind (one leader) or lines per leader (several).
    Built from graph_objects traces (plotly.express costs ~0.1 s per figure)."""
    layout = dict(
        title=t("chart.weekly", lang), legend_title_text="", margin=dict(l=10, r=10, t=40, b=10), height=340,
        xaxis=dict(title=t("chart.week", lang), tickformat=DATE_TICKS[lang]), yaxis_title=t("chart.count", lang),
        barmode="stack",
    )
    if activity.empty:
        return go.Figure(layout=layout)
    traces = []
    if stacked_by == "kind":
        wide = activity.pivot_table(index="week", columns="kind", values="count", aggfunc="sum", fill_value=0)
        for kind in KIND_COLOURS:
            if kind in wide.columns and wide[kind].any():
                traces.append(go.Bar(x=wide.index, y=wide[kind], name=t(f"kind.{kind}", lang),
                                     marker_color=KIND_COLOURS[kind]))
    else:
        wide = activity.pivot_table(index="week", columns="leader", values="count", aggfunc="sum", fill_value=0)
        for leader in wide.columns:
            traces.append(go.Scatter(x=wide.index, y=wide[leader], name=str(leader), mode="lines"))
    fig = go.Figure(data=traces, layout=layout)
    if marker is not None:  # where the period starts (the rest is the baseline)
        fig.add_vline(x=pd.Timestamp(marker).tz_convert(None).timestamp() * 1000, line_dash="dash", line_color="#555")
    return fig


def cohort_bands(bands: pd.DataFrame, own: pd.DataFrame | None, lang: str) -> go.Figure:
    """The cohort's weekly posts per member: the 25–75th percentile band, the median, and
    (for a member) their own line. Nothing here identifies another member."""
    fig = go.Figure()
    fig.update_layout(title=t("chart.cohort_weekly", lang), margin=dict(l=10, r=10, t=40, b=10), height=340,
                      xaxis=dict(title=t("chart.week", lang), tickformat=DATE_TICKS[lang]),
                      yaxis_title=t("chart.count", lang))
    if bands.empty:
        return fig
    fig.add_trace(go.Scatter(x=bands["week"], y=bands["p75"], mode="lines", line=dict(width=0), showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=bands["week"], y=bands["p25"], mode="lines", line=dict(width=0), fill="tonexty",
                             fillcolor="rgba(31,111,139,0.2)", name=t("chart.band", lang)))
    fig.add_trace(go.Scatter(x=bands["week"], y=bands["p50"], mode="lines", line=dict(color="#1f6f8b"),
                             name=t("chart.median", lang)))
    if own is not None and not own.empty:
        fig.add_trace(go.Scatter(x=own["week"], y=own["count"], mode="lines+markers", line=dict(color="#e07a5f"),
                                 name=t("chart.you", lang)))
    return fig


def composite_trend(trend: pd.DataFrame, lang: str) -> go.Figure:
    """The four composites (0–100, percentile-based) per month."""
    fig = go.Figure(layout=dict(
        title=t("chart.composites", lang), margin=dict(l=10, r=10, t=40, b=10), height=300,
        yaxis=dict(range=[0, 100], title=t("chart.score", lang)), legend_title_text="",
        xaxis=dict(tickformat="%-m/%Y" if lang == "fi" else "%b %Y"),
    ))
    for name in COMPOSITES:
        if name in trend:
            fig.add_trace(go.Scatter(x=trend["period_start"], y=trend[name], mode="lines+markers",
                                     name=t(f"composite.{name}", lang), line=dict(color=COMPOSITE_COLOURS[name])))
    return fig
