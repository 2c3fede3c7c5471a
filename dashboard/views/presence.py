"""My presence: one leader's activity and conversations at a glance."""

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import fmt_date, fmt_number, fmt_percent, t

lang = st.session_state.get("lang", "fi")
st.title(t("presence.title", lang))
leaders = data.leaders()
if leaders.empty:
    st.info(t("empty.store", lang))
    st.stop()

names = list(leaders["leader"])
requested = st.query_params.get("leader")
leader = st.selectbox(
    t("leader.label", lang), names, index=names.index(requested) if requested in names else 0, key="leader_pick"
)
st.query_params["leader"] = leader
days = st.select_slider(t("period.label", lang), options=[30, 90, 180, 365, 730], value=365)
leader_id = int(leaders.loc[leaders["leader"] == leader, "leader_id"].iloc[0])
since, now = data.since_days(days), data.today_end()
posts = data.posts((leader_id,), since)
interactions = data.interactions((leader_id,), since)
summary = data.summary(posts, interactions)
row = summary.iloc[0] if not summary.empty else None

cols = st.columns(5)
cols[0].metric(t("metric.posts", lang), fmt_number(int(row["posts"]) if row is not None else 0, lang))
cols[1].metric(t("metric.replies_out", lang), fmt_number(int(row["replies_out"]) if row is not None else 0, lang))
cols[2].metric(t("metric.incoming", lang), fmt_number(int(row["incoming"]) if row is not None else 0, lang))
answered = row["answered"] if row is not None and row["incoming"] else None
cols[3].metric(t("metric.answered", lang), fmt_percent(answered, lang))
cols[4].metric(t("metric.last_post", lang), fmt_date(row["last_post"] if row is not None else None, lang))

st.plotly_chart(charts.weekly_posts(data.weekly_activity(posts, since, now), lang), width="stretch")

st.subheader(t("recent.title", lang))
recent = posts.sort_values("created_at", ascending=False).head(20)
st.dataframe(
    recent.assign(kind=data.post_kind(recent).map(lambda k: t(f"kind.{k}", lang)))[["created_at", "kind", "text", "url"]],
    column_config={
        "created_at": st.column_config.DatetimeColumn(t("col.time", lang), format="YYYY-MM-DD HH:mm"),
        "kind": t("col.kind", lang),
        "text": st.column_config.TextColumn(t("col.text", lang), width="large"),
        "url": st.column_config.LinkColumn(t("col.link", lang)),
    },
    hide_index=True,
    width="stretch",
)
