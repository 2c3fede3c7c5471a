"""Collection health: did collection run, what did each account yield, which accounts went
stale; admins and consultants add and remove leaders and accounts here."""

import streamlit as st

from dashboard import auth, data
from dashboard.i18n import LANGUAGES, STRINGS, fmt_number, md_escape, t
from lasna import registry, sources
from lasna.errors import AccessDenied, LasnaError

viewer, lang = auth.page("health")
st.title(t("health.title", lang))
if flash := st.session_state.pop("_health_flash", None):  # set before the rerun that follows a change
    st.success(flash)

runs = data.runs(viewer)
st.subheader(t("health.runs", lang))
if runs.empty:
    st.info(t("health.no_runs", lang))
else:
    st.dataframe(
        runs[["started_at", "finished_at", "source", "ok", "host"]].head(20),
        column_config={
            "started_at": st.column_config.DatetimeColumn(t("col.started", lang), format="YYYY-MM-DD HH:mm"),
            "finished_at": st.column_config.DatetimeColumn(t("col.finished", lang), format="YYYY-MM-DD HH:mm"),
            "source": t("col.source", lang),
            "ok": st.column_config.CheckboxColumn(t("col.ok", lang)),
            "host": t("col.host", lang),
        },
        hide_index=True,
        width="stretch",
        key="runs_table",
    )
    st.caption(t("health.latest_run", lang))
    latest = data.run_accounts(viewer, runs.iloc[0]["run_id"])
    st.dataframe(
        latest[["leader", "platform", "account", "new_posts", "new_interactions", "requests", "error"]],
        column_config={
            "leader": t("col.leader", lang),
            "platform": t("col.platform", lang),
            "account": t("col.account", lang),
            "new_posts": t("col.new_posts", lang),
            "new_interactions": t("col.new_interactions", lang),
            "requests": t("col.requests", lang),
            "error": st.column_config.TextColumn(t("col.error", lang), width="large"),
        },
        hide_index=True,
        width="stretch",
        key="run_accounts_table",
    )

st.subheader(t("health.accounts", lang))
accounts = data.accounts_overview(viewer)
stale = int(accounts["stale"].sum())
if stale:
    st.warning(t("health.stale", lang).format(n=fmt_number(stale, lang), days=data.STALE_DAYS))
st.dataframe(
    accounts[["stale", "leader", "platform", "account", "posts", "last_post", "last_ok", "last_error"]],
    column_config={
        "leader": t("col.leader", lang),
        "platform": t("col.platform", lang),
        "account": t("col.account", lang),
        "posts": t("col.posts", lang),
        "last_post": st.column_config.DatetimeColumn(t("col.last_post", lang), format="YYYY-MM-DD HH:mm"),
        "last_ok": st.column_config.DatetimeColumn(t("col.last_ok", lang), format="YYYY-MM-DD HH:mm"),
        "last_error": st.column_config.TextColumn(t("col.error", lang)),
        "stale": st.column_config.CheckboxColumn(t("col.stale", lang)),
    },
    hide_index=True,
    width="stretch",
    key="accounts_table",
)

if viewer.manages_leaders:
    st.subheader(t("manage.title", lang))
    add_tab, remove_tab = st.tabs([t("manage.add", lang), t("manage.remove", lang)])
    with add_tab, st.form("add_leader", clear_on_submit=True):
        st.caption(t("manage.add_help", lang))
        name = st.text_input(t("manage.name", lang), key="add_name")
        language = st.selectbox(t("manage.language", lang), list(registry.LANGUAGES), format_func=LANGUAGES.get,
                                key="add_language")
        typed = {  # one field per addable source, from the source specifications (lasna/sources.py)
            spec.key: st.text_input(t(f"manage.{spec.platform}", lang) if f"manage.{spec.platform}" in STRINGS
                                    else spec.label, placeholder=spec.syntax, key=f"add_{spec.platform}")
            for spec in sources.ADDABLE
        }
        cohort = st.text_input(t("manage.cohort", lang), key="add_cohort")
        if st.form_submit_button(t("manage.add_button", lang), type="primary"):
            try:
                spec = registry.LeaderSpec.parse(
                    name, language=language, cohorts=[cohort] if cohort else [],
                    **{key: value.strip() or None for key, value in typed.items()},
                )
                leader = data.add_leader(viewer, spec)
                st.session_state["_health_flash"] = t("manage.added", lang).format(name=md_escape(leader.name))
                st.rerun()
            except AccessDenied:  # do not confirm that someone else's leader exists
                st.error(t("access.denied", lang))
            except LasnaError as exc:
                st.error(md_escape(str(exc)))
    with remove_tab:
        mine = data.leaders(viewer)
        if mine.empty:
            st.info(t("empty.assigned", lang))
        else:
            pick = st.selectbox(t("leader.label", lang), list(mine["leader"]), key="remove_leader_pick")
            pick_id = int(mine.loc[mine["leader"] == pick, "leader_id"].iloc[0])
            own_accounts = accounts[accounts["leader_id"] == pick_id]
            if not own_accounts.empty:
                ids = {f"{r.platform}: {r.account}": int(r.account_id) for r in own_accounts.itertuples()}
                account_id = ids[st.selectbox(t("col.account", lang), list(ids), key="remove_account_pick")]
                if st.button(t("manage.remove_account", lang), key="remove_account"):
                    data.remove_account(viewer, account_id)
                    st.session_state["_health_flash"] = t("manage.removed", lang)
                    st.rerun()
            st.caption(t("manage.remove_help", lang))
            if st.button(t("manage.remove_leader", lang), key="remove_leader", type="primary"):
                data.remove_leader(viewer, pick_id)
                st.session_state["_health_flash"] = t("manage.removed", lang)
                st.rerun()
