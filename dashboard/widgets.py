"""Small blocks two pages share. Layout only: the data comes from ``dashboard.data``."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import fmt_number, t
from lasna.access import Viewer


def _score(value) -> float | None:
    return None if value is None or value != value else float(value)


def composite_metrics(current, previous, lang: str) -> None:
    """Four st.metric columns: each composite (0–100) and its change against the previous period."""
    cols = st.columns(4)
    for col, name in zip(cols, charts.COMPOSITES):
        value = _score(current[name].iloc[0]) if len(current) else None
        old = _score(previous[name].iloc[0]) if previous is not None and len(previous) else None
        delta = None
        if value is not None and old is not None:
            diff = round(value - old)
            delta = f"+{fmt_number(diff, lang)}" if diff >= 0 else fmt_number(diff, lang)
        col.metric(t(f"composite.{name}", lang), fmt_number(round(value), lang) if value is not None else "–",
                   delta=delta)


def scores_section(viewer: Viewer, leader_id: int, lang: str, *, trend: bool = True) -> None:
    """The leader's composites, polling while the background scoring runs."""

    def block(polling: bool) -> None:
        status, frames = data.scores(viewer, leader_id)
        if status == "off":
            return
        st.subheader(t("scores.title", lang))
        if status == "pending":
            st.info(t("scores.pending", lang))
            return
        if status == "failed":
            st.warning(t("scores.failed", lang))
            return
        if polling:  # became ready: one full rerun stops the polling
            st.rerun()
        st.caption(t("scores.caption", lang).format(days=data.SCORE_DAYS))
        composite_metrics(frames["current"], frames["previous"], lang)
        if trend:
            st.plotly_chart(charts.composite_trend(frames["trend"], lang), width="stretch")

    pending = data.scores(viewer, leader_id)[0] == "pending"
    st.fragment(block, run_every=3 if pending else None)(pending)


def activity_summary_table(frame, lang: str, *, key: str) -> None:
    """The per-leader activity table (posts, replies, answered share, people, latest post)."""
    st.dataframe(
        frame,
        column_config={
            "leader": t("col.leader", lang),
            "posts": t("metric.posts", lang),
            "replies_out": t("metric.replies_out", lang),
            "incoming": t("metric.incoming", lang),
            "answered": st.column_config.ProgressColumn(t("metric.answered", lang), min_value=0, max_value=1,
                                                        format="percent"),
            "people": t("metric.people", lang),
            "last_post": st.column_config.DatetimeColumn(t("metric.last_post", lang), format="YYYY-MM-DD"),
        },
        hide_index=True,
        width="stretch",
        key=key,
    )


def message_columns(lang: str, **others) -> dict:
    """``st.dataframe`` column settings for a list of posts or replies: time, text and link, plus
    ``others`` (column → settings). The order on screen is the frame's, not this dict's."""
    return {
        "created_at": st.column_config.DatetimeColumn(t("col.time", lang), format="YYYY-MM-DD HH:mm"),
        "text": st.column_config.TextColumn(t("col.text", lang), width="large"),
        "url": st.column_config.LinkColumn(t("col.link", lang), display_text=t("col.open", lang)),
        **others,
    }
