"""Frames in, Plotly figures out. No Streamlit and no I/O here."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.i18n import t

KIND_COLOURS = {"post": "#1f6f8b", "reply": "#e07a5f", "thread": "#99c1b9", "repost": "#c9c9c9"}


def weekly_posts(activity: pd.DataFrame, lang: str, *, stacked_by: str = "kind", marker=None) -> go.Figure:
    """Bars of posts per week by kind (one leader) or lines per leader (several)."""
    labels = {"week": t("chart.week", lang), "count": t("chart.count", lang), "kind": "", "leader": ""}
    if activity.empty:
        fig = go.Figure()
        fig.update_layout(title=t("chart.weekly", lang))
        return fig
    if stacked_by == "kind":
        frame = activity.groupby(["week", "kind"], as_index=False)["count"].sum()
        frame["kind"] = frame["kind"].map(lambda k: t(f"kind.{k}", lang))
        colours = {t(f"kind.{k}", lang): c for k, c in KIND_COLOURS.items()}
        fig = px.bar(frame, x="week", y="count", color="kind", labels=labels, color_discrete_map=colours)
    else:
        frame = activity.groupby(["week", "leader"], as_index=False)["count"].sum()
        fig = px.line(frame, x="week", y="count", color="leader", labels=labels)
    fig.update_layout(title=t("chart.weekly", lang), legend_title_text="", margin=dict(l=10, r=10, t=40, b=10),
                      height=340)
    if marker is not None:  # where the period starts (the rest is the baseline)
        fig.add_vline(x=pd.Timestamp(marker).tz_convert(None).timestamp() * 1000, line_dash="dash", line_color="#555")
    return fig


def cohort_bands(bands: pd.DataFrame, own: pd.DataFrame | None, lang: str) -> go.Figure:
    """The cohort's weekly posts per member: the 25–75th percentile band, the median, and
    (for a member) their own line. Nothing here identifies another member."""
    fig = go.Figure()
    fig.update_layout(title=t("chart.cohort_weekly", lang), margin=dict(l=10, r=10, t=40, b=10), height=340,
                      xaxis_title=t("chart.week", lang), yaxis_title=t("chart.count", lang))
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
