"""Sparring: a consultant compares the leaders they coach."""

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t

lang = st.session_state.get("lang", "fi")
st.title(t("sparring.title", lang))
leaders = data.leaders()
if leaders.empty:
    st.info(t("empty.store", lang))
    st.stop()

names = list(leaders["leader"])
chosen = st.multiselect(t("leaders.label", lang), names, default=names[: min(4, len(names))])
days = st.select_slider(t("period.label", lang), options=[30, 90, 180, 365, 730], value=180)
ids = tuple(int(i) for i in leaders.loc[leaders["leader"].isin(chosen), "leader_id"])
since, now = data.since_days(days), data.today_end()
posts = data.posts(ids, since)
interactions = data.interactions(ids, since)

st.plotly_chart(charts.weekly_posts(data.weekly_activity(posts, since, now), lang, stacked_by="leader"), width="stretch")
st.subheader(t("summary.title", lang))
st.dataframe(
    data.summary(posts, interactions),
    column_config={
        "leader": t("col.leader", lang),
        "posts": t("metric.posts", lang),
        "replies_out": t("metric.replies_out", lang),
        "incoming": t("metric.incoming", lang),
        "answered": st.column_config.ProgressColumn(t("metric.answered", lang), min_value=0, max_value=1, format="percent"),
        "people": t("metric.people", lang),
        "last_post": st.column_config.DatetimeColumn(t("metric.last_post", lang), format="YYYY-MM-DD"),
    },
    hide_index=True,
    width="stretch",
)
