"""My presence: one leader's activity and the conversations waiting for them."""

import pandas as pd
import streamlit as st

from coaching import coverage
from dashboard import auth, coaching_ui, data, widgets
from dashboard.i18n import fmt_age, fmt_date, fmt_number, fmt_percent, md_escape, t
from lasna.users import Role

viewer, lang = auth.page("presence")
st.title(t("presence.title", lang))
leaders = data.leaders(viewer)
if leaders.empty:
    st.info(t("empty.store", lang) if viewer.role is not Role.EXECUTIVE else t("empty.own_leader", lang))
    st.stop()

names = list(leaders["leader"])
requested = st.query_params.get("leader")
if requested and requested not in names:
    st.warning(t("access.leader_denied", lang))  # never echo the name: it is not theirs to know
if viewer.role is Role.EXECUTIVE:
    leader = names[0]
    st.subheader(md_escape(leader))
else:
    leader = st.selectbox(
        t("leader.label", lang), names, index=names.index(requested) if requested in names else 0, key="leader_pick"
    )
st.query_params["leader"] = leader
days = st.select_slider(t("period.label", lang), options=[30, 90, 180, 365], value=90, key="presence_days")
leader_id = int(leaders.loc[leaders["leader"] == leader, "leader_id"].iloc[0])
now = data.today_end()
start, baseline_start = data.since_days(days), data.since_days(2 * days)
posts = data.posts(viewer, (leader_id,), baseline_start)
interactions = data.interactions(viewer, (leader_id,), baseline_start)
current = data.period_summary(posts, interactions, start, now)
before = data.period_summary(posts, interactions, baseline_start, start)

st.caption(t("presence.compare", lang).format(days=days))
cols = st.columns(4)
for col, key, fmt in (
    (cols[0], "posts", "number"),
    (cols[1], "replies_out", "number"),
    (cols[2], "answered", "percent"),
    (cols[3], "people", "number"),
):
    value, old = current[key], before[key]
    shown = fmt_percent(value, lang) if fmt == "percent" else fmt_number(value, lang)
    delta = None
    if value is not None and old is not None:
        diff = value - old
        delta = (fmt_percent(diff, lang) if fmt == "percent" else fmt_number(diff, lang))
        delta = delta if diff < 0 else f"+{delta}"
    col.metric(t(f"metric.{key}", lang), shown, delta=delta)
# how complete the replies behind "answered" are (issue #14: the coverage ledger, coaching/coverage.py)
_cov = coverage.leader_summary(coverage.coverage_ledger(coverage.threads_from_frames(posts, interactions),
                                                         by=None, since=start, until=now)).get(leader_id)
if _cov and _cov["reported"]:
    st.caption(t("coverage.low" if _cov["low_coverage"] else "coverage.ok", lang).format(
        collected=fmt_number(_cov["collected"], lang), reported=fmt_number(_cov["reported"], lang),
        share=fmt_percent(_cov["coverage"], lang)))

coaching_ui.tips_section(viewer, leader_id, lang)
coaching_ui.goals_section(viewer, leader_id, lang, poll=False)

widgets.scores_section(viewer, leader_id, lang)

recent_posts = posts[posts["created_at"] >= start]
st.plotly_chart(data.weekly_chart(viewer, (leader_id,), baseline_start, now, lang, start=start), width="stretch")

st.subheader(t("waiting.title", lang))
status = data.coach_status()
if status in ("pending", "failed"):  # the tips above show the note and poll
    st.caption(t("coach.pending", lang))
else:
    # coaching's definition (the same list the tips use); with coaching off, unanswered replies of the period
    waiting = data.coach_waiting(viewer, leader_id) if status == "ready" else data.waiting(viewer, leader_id, start)
    if waiting.empty:
        st.success(t("waiting.none", lang))
    else:
        st.caption(t("waiting.caption", lang).format(n=fmt_number(len(waiting), lang)))
        st.dataframe(
            waiting.head(50).assign(
                age=waiting["age"].head(50).map(lambda a: fmt_age(a, lang)),
                kind=waiting.get("kind", pd.Series("reply", index=waiting.index)).head(50).map(
                    lambda k: t(f"waiting.kind.{k}", lang)),
            )[["created_at", "age", "kind", "author", "text", "url"]],
            column_config=widgets.message_columns(lang, age=t("col.age", lang), kind=t("col.kind", lang),
                                                  author=t("col.author", lang)),
            hide_index=True,
            width="stretch",
            key="waiting_table",
        )

st.subheader(t("recent.title", lang))
recent = recent_posts.sort_values("created_at", ascending=False).head(20)
st.dataframe(
    recent.assign(kind=data.post_kind(recent).map(lambda k: t(f"kind.{k}", lang)))[["created_at", "kind", "text", "url"]],
    column_config=widgets.message_columns(lang, kind=t("col.kind", lang)),
    hide_index=True,
    width="stretch",
    key="recent_table",
)
st.caption(t("presence.latest", lang).format(date=fmt_date(posts["created_at"].max() if len(posts) else None, lang)))
