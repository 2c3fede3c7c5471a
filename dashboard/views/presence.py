"""My presence: one leader's activity and the conversations waiting for them."""

import streamlit as st

from dashboard import auth, coaching_ui, data, widgets
from dashboard.i18n import fmt_date, fmt_number, fmt_percent, md_escape, metric_delta, t
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
current = data.leader_summary(viewer, leader_id, start, now, since=baseline_start)
before = data.leader_summary(viewer, leader_id, baseline_start, start)

st.caption(t("presence.compare", lang).format(days=days))
items = []
for key in ("posts", "replies_out", "answered", "people"):
    value, old = current[key], before[key]
    percent = key == "answered"
    shown = fmt_percent(value, lang) if percent else fmt_number(value, lang)
    diff = value - old if value is not None and old is not None else None
    delta, colour = metric_delta(diff, lang, percent=percent)  # a share changes in points, not in per cent
    items.append((t(f"metric.{key}", lang), shown, delta, colour))
widgets.headline(items, lang)
# how complete the replies behind "answered" are (issue #14: the coverage ledger, coaching/coverage.py)
_cov = data.coverage(viewer, leader_id, start, now)
if _cov:
    st.caption(t("coverage.low" if _cov["low_coverage"] else "coverage.ok", lang).format(
        collected=fmt_number(_cov["collected"], lang), reported=fmt_number(_cov["reported"], lang),
        share=fmt_percent(_cov["coverage"], lang)))

# the scores before the tips (shown below them): the 6-month trend is scored first and its facts read holds
# this period's and the previous period's, which the tips then reuse (CoachService.leader_composites)
data.scores(viewer, leader_id)
coaching_ui.tips_section(viewer, leader_id, lang)
coaching_ui.goals_section(viewer, leader_id, lang, poll=False)

widgets.scores_section(viewer, leader_id, lang)

recent_posts = posts[posts["created_at"] >= start]
widgets.chart(data.weekly_chart(viewer, (leader_id,), baseline_start, now, lang, start=start))

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
        widgets.waiting_cards(waiting, lang)

st.subheader(t("recent.title", lang))
recent = recent_posts.sort_values("created_at", ascending=False).head(20)
widgets.table(
    widgets.message_frame(recent.assign(kind=data.post_kind(recent).map(lambda k: t(f"kind.{k}", lang))))[
        ["created_at", "kind", "text", "url"]],
    lang,
    empty_key="empty.recent",
    column_config=widgets.message_columns(lang, kind=t("col.kind", lang)),
    key="recent_table",
)
st.caption(t("presence.latest", lang).format(date=fmt_date(posts["created_at"].max() if len(posts) else None, lang)))
