"""Frames in, Plotly figures out. No Streamlit and no I/O here."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.i18n import t

KIND_COLOURS = {"post": "#1f6f8b", "reply": "#e07a5f", "thread": "#99c1b9", "repost": "#c9c9c9"}


def weekly_posts(activity: pd.DataFrame, lang: str, *, stacked_by: str = "kind") -> go.Figure:
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
    return fig
