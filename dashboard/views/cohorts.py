"""Cohorts: a programme's members and their activity together."""

import streamlit as st

from dashboard import charts, data
from dashboard.i18n import t

lang = st.session_state.get("lang", "fi")
st.title(t("cohorts.title", lang))
cohorts = data.cohorts()
leaders = data.leaders()
if cohorts.empty:
    st.info(t("empty.store", lang))
    st.stop()

cohort = st.selectbox(t("cohort.label", lang), list(cohorts["cohort"]))
visibility = cohorts.loc[cohorts["cohort"] == cohort, "visibility"].iloc[0]
st.caption(f"{t('visibility.label', lang)}: {visibility}")
members = leaders[leaders["cohorts"].map(lambda cs: cohort in cs)]
ids = tuple(int(i) for i in members["leader_id"])
days = 365
since, now = data.since_days(days), data.today_end()
posts = data.posts(ids, since)
st.plotly_chart(charts.weekly_posts(data.weekly_activity(posts, since, now), lang), width="stretch")
st.subheader(t("members.title", lang))
st.dataframe(members[["leader", "language"]], hide_index=True, column_config={"leader": t("col.leader", lang)})
