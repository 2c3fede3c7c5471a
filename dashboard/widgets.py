"""Small blocks two pages share. Layout only: the data comes from ``dashboard.data``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.i18n import (
    DATETIME_COLUMN,
    fmt_age,
    fmt_date,
    fmt_datetime,
    fmt_number,
    local_times,
    metric_delta,
    t,
)
from lasna.access import Viewer


def _score(value) -> float | None:
    return None if value is None or value != value else float(value)


def chart(fig, *, key: str | None = None) -> None:
    """A Plotly figure full width, without the toolbar (it covers titles on a phone)."""
    st.plotly_chart(fig, width="stretch", config=charts.CONFIG, key=key)


def headline(items, lang: str) -> None:
    """Compact metrics that wrap two to a row on a phone: ``items`` is (label, value text, delta, colour)."""
    with st.container(horizontal=True, gap="small"):
        for label, value, delta, colour in items:
            st.metric(label, value, delta=delta, delta_color=colour, border=True, width=160,
                      delta_arrow="off" if colour == "off" else "auto")


def composite_metrics(current, previous, lang: str) -> None:
    """The four composites (0–100) and their change against the previous period ("±0" in grey)."""
    items = []
    for name in charts.COMPOSITES:
        value = _score(current[name].iloc[0]) if len(current) else None
        old = _score(previous[name].iloc[0]) if previous is not None and len(previous) else None
        diff = round(value) - round(old) if value is not None and old is not None else None
        delta, colour = metric_delta(diff, lang)
        items.append((t(f"composite.{name}", lang), fmt_number(round(value), lang) if value is not None else "–",
                      delta, colour))
    headline(items, lang)


def scores_section(viewer: Viewer, leader_id: int, lang: str, *, trend: bool = True,
                   title_key: str = "scores.title") -> None:
    """The leader's composites (with their monthly trend unless ``trend`` is False), read from the facts
    when the page asks (there is nothing to wait for)."""
    status, frames = data.scores(viewer, leader_id, trend=trend)
    if status == "off":
        return
    st.subheader(t(title_key, lang))
    if status == "failed":
        st.warning(t("scores.failed", lang))
        return
    st.caption(t("scores.caption", lang).format(days=data.SCORE_DAYS))
    composite_metrics(frames["current"], frames["previous"], lang)
    if trend:
        chart(charts.composite_trend(frames["trend"], lang))


def activity_summary_table(frame, lang: str, *, key: str) -> None:
    """The per-leader activity table (posts, replies, answered share, people, latest post)."""
    if frame is None or frame.empty:
        st.caption(t("empty.table", lang))
        return
    shown = frame.assign(answered=frame["answered"] * 100,  # "–" rather than "None" for a leader without posts
                         last_post=[fmt_date(v, lang) for v in local_times(frame, "last_post")["last_post"]])
    st.dataframe(
        shown,
        column_config={
            "leader": t("col.leader", lang),
            "posts": t("metric.posts", lang),
            "replies_out": t("metric.replies_out", lang),
            "incoming": t("metric.incoming", lang),
            "answered": st.column_config.ProgressColumn(t("metric.answered", lang), min_value=0, max_value=100,
                                                        format="%d\u00a0%%" if lang == "fi" else "%d%%"),
            "people": t("metric.people", lang),
            "last_post": t("metric.last_post", lang),
        },
        hide_index=True,
        width="stretch",
        key=key,
    )


def message_columns(lang: str, **others) -> dict:
    """``st.dataframe`` column settings for a list of posts or replies: time, text and link, plus
    ``others`` (column → settings). The order on screen is the frame's, not this dict's. Pass the
    frame through :func:`message_frame` so times are local and nothing shows as "None"."""
    return {
        "created_at": st.column_config.DatetimeColumn(t("col.time", lang), format=DATETIME_COLUMN[lang]),
        "text": st.column_config.TextColumn(t("col.text", lang), width="large"),
        "url": st.column_config.LinkColumn(t("col.link", lang), display_text=t("col.open", lang)),
        **others,
    }


def message_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Times in the programme's time zone and "–" for a missing author or text."""
    from lasna.frames import repost_target

    out = local_times(frame, "created_at")
    if "text" in out and "repost_of_id" in out:  # a repost has no text of its own: say what it shares
        empty = out["text"].isna() | (out["text"].astype(str).str.strip() == "")
        targets = out["repost_of_id"].map(repost_target)
        out["text"] = out["text"].astype(object).where(~(empty & targets.notna()), "↻ " + targets.astype(str))
    for col in ("text", "author", "kind"):
        if col in out:
            out[col] = out[col].astype(object).where(out[col].notna() & (out[col].astype(str).str.strip() != ""), "–")
    return out


def table(frame: pd.DataFrame, lang: str, *, empty_key: str = "empty.table", **kwargs) -> None:
    """``st.dataframe`` or, for no rows, a translated line instead of a grid that says "empty"."""
    if frame is None or len(frame) == 0:
        st.caption(t(empty_key, lang))
        return
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)


def waiting_cards(waiting: pd.DataFrame, lang: str, *, limit: int = 10) -> None:
    """Who is waiting, as cards a phone shows whole: who and how long, the message, an open button."""
    def card(row, i: int) -> None:
        with st.container(border=True):  # st.text: a stranger's words are never interpreted
            kind = t(f"waiting.kind.{row.get('kind', 'reply')}", lang)
            st.text(f"{row.get('author') or '–'} · {kind} · "
                    f"{t('waiting.ago', lang).format(age=fmt_age(row.get('age'), lang))}")
            st.text(row.get("text") or "–")
            st.caption(fmt_datetime(row.get("created_at"), lang))
            url = row.get("url")
            if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
                st.link_button(t("waiting.open", lang), url, icon=":material/open_in_new:", key=f"waiting_open_{i}")

    rows = waiting.to_dict("records")
    for i, row in enumerate(rows[:limit]):
        card(row, i)
    if len(rows) > limit:
        with st.expander(t("waiting.more", lang).format(n=fmt_number(len(rows) - limit, lang))):
            for i, row in enumerate(rows[limit:50], start=limit):
                card(row, i)
