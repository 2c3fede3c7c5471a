"""Sparring: a consultant prepares a session: one leader, this period against a baseline,
and any post opened down to the replies it got."""

from datetime import timedelta

import streamlit as st

from dashboard import auth, coaching_ui, data, widgets
from dashboard.i18n import fmt_number, fmt_percent, t

viewer, lang = auth.page("sparring")
st.title(t("sparring.title", lang))
leaders = data.leaders(viewer)
if leaders.empty:
    st.info(t("empty.assigned", lang))
    st.stop()

names = list(leaders["leader"])
requested = st.query_params.get("leader")
if requested and requested not in names:
    st.warning(t("access.leader_denied", lang))
left, right = st.columns([2, 3])
leader = left.selectbox(
    t("leader.label", lang), names, index=names.index(requested) if requested in names else 0, key="spar_leader"
)
st.query_params["leader"] = leader
days = right.select_slider(t("period.label", lang), options=[14, 30, 60, 90, 180], value=30, key="spar_days")
leader_id = int(leaders.loc[leaders["leader"] == leader, "leader_id"].iloc[0])
data.audit_view(viewer, leader_id, "sparring")  # audit log: who opened whose data
now = data.today_end()
start, baseline_start = data.since_days(days), data.since_days(2 * days)
posts = data.posts(viewer, (leader_id,), baseline_start)
interactions = data.interactions(viewer, (leader_id,), baseline_start)
period = data.leader_summary(viewer, leader_id, start, now, since=baseline_start)  # cached per data version
baseline = data.leader_summary(viewer, leader_id, baseline_start, start)

st.subheader(t("sparring.period_vs_baseline", lang))
st.caption(t("sparring.baseline_caption", lang).format(days=days))
table = [
    {
        "metric": t(f"metric.{key}", lang),
        "period": fmt_percent(period[key], lang) if key == "answered" else fmt_number(period[key], lang),
        "baseline": fmt_percent(baseline[key], lang) if key == "answered" else fmt_number(baseline[key], lang),
    }
    for key in ("posts", "replies_out", "incoming", "answered", "people")
]
st.dataframe(
    table,
    column_config={
        "metric": t("col.metric", lang),
        "period": t("col.period", lang),
        "baseline": t("col.baseline", lang),
    },
    hide_index=True,
    key="spar_compare",
)
# how complete the replies behind "answered" and the responsiveness score are (the coverage ledger, issue #14)
_covs = data.coverages(viewer, leader_id, [(start, now), (baseline_start, start)])
for _label, _cov in zip(("col.period", "col.baseline"), _covs):
    if _cov:
        st.caption(t(_label, lang) + ": " + t("coverage.low" if _cov["low_coverage"] else "coverage.ok", lang).format(
            collected=fmt_number(_cov["collected"], lang), reported=fmt_number(_cov["reported"], lang),
            share=fmt_percent(_cov["coverage"], lang)))
widgets.chart(data.weekly_chart(viewer, (leader_id,), baseline_start, now, lang, marker=start))

widgets.scores_section(viewer, leader_id, lang, trend=False)

coaching_ui.flash(lang)
coaching_ui.session_history(viewer, leader_id, lang)
with st.expander(t("session.record", lang), expanded=not data.session_history(viewer, leader_id)):
    coaching_ui.session_form(viewer, leader_id, lang, (start.date(), now.date()),
                             (baseline_start.date(), (start - timedelta(days=1)).date()))
coaching_ui.goals_section(viewer, leader_id, lang)
# the form shows the metric's value now (a score window of its own): computed when the expander is open
add_goal = st.expander(t("goals.add", lang), key=coaching_ui.GOAL_FORM_KEY, on_change="rerun")
if add_goal.open:
    with add_goal:
        coaching_ui.goal_form(viewer, leader_id, lang)
coaching_ui.report_downloads(viewer, leader_id, leader, lang)

st.subheader(t("sparring.posts", lang))
st.caption(t("sparring.pick_post", lang))
in_period = posts[posts["created_at"] >= start].sort_values("created_at", ascending=False).reset_index(drop=True)
replies_per_post = interactions[interactions["kind"] == "reply"].groupby("parent_id").size()
shown = widgets.message_frame(in_period.assign(
    kind=data.post_kind(in_period).map(lambda k: t(f"kind.{k}", lang)),
    replies=in_period["post_id"].map(replies_per_post).fillna(0).astype(int),
))[["created_at", "kind", "text", "replies", "like_count", "url"]]
if shown.empty:
    st.caption(t("empty.recent", lang))
event = None if shown.empty else st.dataframe(
    shown,
    column_config=widgets.message_columns(lang, kind=t("col.kind", lang), replies=t("col.replies", lang),
                                          like_count=t("col.likes", lang)),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="spar_posts",
)
rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
if rows:
    post = in_period.iloc[rows[0]]
    with st.container(border=True):
        st.caption(t("sparring.selected", lang))
        st.text(post["text"])  # plain text: nothing in a post is ever interpreted
        if isinstance(post["url"], str) and post["url"].startswith(("https://", "http://")):
            st.link_button(t("sparring.open_original", lang), post["url"])
        replies = data.replies_to(viewer, leader_id, post["post_id"], baseline_start)
        widgets.table(
            widgets.message_frame(replies.assign(author=replies["author_handle"].fillna(replies["author_id"])))[
                ["created_at", "author", "text", "url"]
            ],
            lang,
            empty_key="empty.replies",
            column_config=widgets.message_columns(lang, author=t("col.author", lang)),
            key="spar_replies",
        )

if len(leaders) > 1:
    st.subheader(t("sparring.all_mine", lang))
    ids = tuple(int(i) for i in leaders["leader_id"])
    widgets.activity_summary_table(data.leaders_summary(viewer, ids, start), lang, key="spar_all")
