"""Collection health: did collection run, what did each account yield, which accounts went
stale or still wait for their first collection; admins start a collection here and watch it;
admins and consultants add and remove leaders and accounts."""

import pandas as pd
import streamlit as st

from dashboard import auth, collect_job, data, widgets
from dashboard.i18n import (
    LANGUAGES, STRINGS, error_text, fmt_datetime, fmt_number, md_escape, t,
)
from lasna import registry, sources
from lasna.errors import AccessDenied, LasnaError
from lasna.users import Role

viewer, lang = auth.page("health")
st.title(t("health.title", lang))
if flash := st.session_state.pop("_health_flash", None):  # set before the rerun that follows a change
    st.success(flash)


def moments(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Datetime columns as the programme reads them ("28.11.2026 klo 22.25"), "–" where there is none:
    a date column would show a missing moment as "None"."""
    out = frame.copy()
    for col in columns:
        out[col] = [fmt_datetime(v, lang) for v in out[col]]
    return out


def dashes(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Text columns with "–" instead of an empty cell that would read "None"."""
    out = frame.copy()
    for col in columns:
        out[col] = out[col].astype(object).where(out[col].notna() & (out[col].astype(str) != ""), "–")
    return out


accounts = data.accounts_overview(viewer)
never = accounts["last_ok"].isna() & accounts["last_error"].isna() & (accounts["posts"] == 0)
failing = accounts["last_error"].notna()
accounts = accounts.assign(state=[
    t("health.state.first", lang) if n else t("health.state.error", lang) if f else
    t("health.state.stale", lang) if s else t("health.state.ok", lang)
    for n, f, s in zip(never, failing, accounts["stale"])
])
# what needs the admin first: new accounts, then errors, then stale ones, then the rest (by leader)
accounts = accounts.assign(_order=[0 if n else 1 if f else 2 if s else 3
                                   for n, f, s in zip(never, failing, accounts["stale"])]) \
    .sort_values(["_order", "leader", "platform"], kind="stable").drop(columns="_order").reset_index(drop=True)
never = accounts["last_ok"].isna() & accounts["last_error"].isna() & (accounts["posts"] == 0)

# ---- start a collection (admins): the same runner as `lasna collect`, in the background
if viewer.role is Role.ADMIN:
    st.subheader(t("collect.title", lang))
    job = collect_job.current()
    running = job is not None and not job.done
    names = sorted(set(accounts["leader"]))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    scope = left.selectbox(t("collect.scope", lang), ["", *names], key="collect_scope",
                           format_func=lambda n: t("collect.everyone", lang) if n == "" else n)
    if right.button(t("collect.start", lang), key="collect_start", type="primary", disabled=running or not names,
                    icon=":material/sync:"):
        collect_job.start(viewer, scope or None)
        st.rerun()

    def progress_block() -> None:
        job = collect_job.current()
        if job is None:
            return
        snap = job.snapshot()
        who = snap["scope"] or t("collect.everyone", lang)
        if not snap["finished"]:
            total = snap["total"]
            share = snap["done"] / total if total else 0.0
            st.progress(share, text=t("collect.running", lang).format(
                who=md_escape(who), done=fmt_number(snap["done"], lang), total=fmt_number(total, lang) if total else "…"))
        elif snap["error"]:
            st.error(t("collect.failed", lang).format(error=md_escape(snap["error"])))
        elif snap["already_running"]:
            st.warning(t("collect.already", lang))
        else:
            failed = sum(1 for o in snap["outcomes"] if o.error)
            message = t("collect.done", lang).format(
                who=md_escape(who), n=fmt_number(len(snap["outcomes"]), lang), failed=fmt_number(failed, lang),
                posts=fmt_number(sum(o.new_posts for o in snap["outcomes"]), lang),
                replies=fmt_number(sum(o.new_interactions for o in snap["outcomes"]), lang),
                at=fmt_datetime(snap["finished"], lang))
            (st.warning if failed else st.success)(message)
        if snap["outcomes"]:
            widgets.table(dashes(pd.DataFrame([
                {"leader": o.leader, "platform": str(o.platform), "account": o.account, "new_posts": o.new_posts,
                 "new_interactions": o.new_interactions, "error": o.error} for o in snap["outcomes"]]), "error"),
                lang, column_config={"leader": t("col.leader", lang), "platform": t("col.platform", lang),
                                     "account": t("col.account", lang), "new_posts": t("col.new_posts", lang),
                                     "new_interactions": t("col.new_interactions", lang),
                                     "error": st.column_config.TextColumn(t("col.error", lang), width="large")},
                key="collect_outcomes")
        if snap["finished"] and running:  # it just finished: show the new numbers below
            st.rerun(scope="app")

    st.fragment(progress_block, run_every=1.5 if running else None)()

runs = data.runs(viewer)
st.subheader(t("health.runs", lang))
if runs.empty:
    st.info(t("health.no_runs", lang))
else:
    st.dataframe(
        dashes(moments(runs[["started_at", "finished_at", "source", "ok", "host"]].head(20),
                       "started_at", "finished_at"), "source", "host"),
        column_config={
            "started_at": st.column_config.TextColumn(t("col.started", lang)),
            "finished_at": st.column_config.TextColumn(t("col.finished", lang)),  # "–" while running
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
    widgets.table(
        dashes(latest[["leader", "platform", "account", "new_posts", "new_interactions", "requests", "error"]],
               "error"),
        lang,
        column_config={
            "leader": t("col.leader", lang),
            "platform": t("col.platform", lang),
            "account": t("col.account", lang),
            "new_posts": t("col.new_posts", lang),
            "new_interactions": t("col.new_interactions", lang),
            "requests": t("col.requests", lang),
            "error": st.column_config.TextColumn(t("col.error", lang), width="large"),
        },
        key="run_accounts_table",
    )

from dashboard import notify_box  # noqa: E402
notify_box.health_section(viewer, lang)  # e-mail digests and alerts: delivery per user

st.subheader(t("health.accounts", lang))
stale = int((accounts["stale"] & ~never).sum())
if stale:
    st.warning(t("health.stale", lang).format(n=fmt_number(stale, lang), days=data.STALE_DAYS))
if never.any():
    st.info(t("health.first_pending", lang).format(n=fmt_number(int(never.sum()), lang)))
widgets.table(
    dashes(moments(accounts[["state", "leader", "platform", "account", "posts", "last_post", "last_ok",
                             "last_error"]], "last_post", "last_ok"), "last_error"),
    lang,
    empty_key="empty.accounts",
    column_config={
        "state": t("col.state", lang),
        "leader": t("col.leader", lang),
        "platform": t("col.platform", lang),
        "account": t("col.account", lang),
        "posts": t("col.posts", lang),
        "last_post": st.column_config.TextColumn(t("col.last_post", lang)),
        "last_ok": st.column_config.TextColumn(t("col.last_ok", lang)),
        "last_error": st.column_config.TextColumn(t("col.error", lang)),
    },
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
                st.error(md_escape(error_text(exc, lang)))
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
            # two steps: the button asks, the confirmation does it
            confirm_key = f"_confirm_stop_{pick_id}"
            if st.button(t("manage.remove_leader", lang), key="remove_leader", type="primary"):
                st.session_state[confirm_key] = True
            if st.session_state.get(confirm_key):
                with st.container(border=True):
                    st.warning(t("manage.confirm_stop", lang).format(name=md_escape(pick)))
                    yes, no = st.columns(2)
                    if yes.button(t("manage.confirm_yes", lang), key="remove_leader_confirm", type="primary"):
                        st.session_state.pop(confirm_key, None)
                        data.remove_leader(viewer, pick_id)
                        st.session_state["_health_flash"] = t("manage.removed", lang)
                        st.rerun()
                    if no.button(t("manage.confirm_no", lang), key="remove_leader_cancel"):
                        st.session_state.pop(confirm_key, None)
                        st.rerun()
