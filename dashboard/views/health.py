"""Collection health: did the scheduled collection run, and what did it find?"""

import streamlit as st

from dashboard import data
from dashboard.i18n import t

lang = st.session_state.get("lang", "fi")
st.title(t("health.title", lang))

runs = data.runs()
st.subheader(t("health.runs", lang))
if runs.empty:
    st.info(t("health.no_runs", lang))
else:
    st.dataframe(
        runs[["started_at", "finished_at", "source", "ok", "host"]],
        column_config={
            "started_at": st.column_config.DatetimeColumn(t("col.started", lang), format="YYYY-MM-DD HH:mm"),
            "finished_at": st.column_config.DatetimeColumn(t("col.finished", lang), format="YYYY-MM-DD HH:mm"),
            "source": t("col.source", lang),
            "ok": st.column_config.CheckboxColumn(t("col.ok", lang)),
        },
        hide_index=True,
        width="stretch",
    )
    latest = data.run_accounts((runs.iloc[0]["run_id"],))
    st.dataframe(latest[["leader", "platform", "account", "new_posts", "new_interactions", "requests", "error"]],
                 hide_index=True, width="stretch")

st.subheader(t("health.accounts", lang))
st.dataframe(
    data.accounts_overview().drop(columns=["account_id"]),
    column_config={
        "leader": t("col.leader", lang),
        "platform": t("col.platform", lang),
        "account": t("col.account", lang),
        "posts": t("col.posts", lang),
        "last_post": st.column_config.DatetimeColumn(t("col.last_post", lang), format="YYYY-MM-DD HH:mm"),
    },
    hide_index=True,
    width="stretch",
)
