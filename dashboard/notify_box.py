"""E-mail notifications in the dashboard: the *My notifications* box (sidebar) and the delivery section
of the Collection health page. Its strings are in ``dashboard.i18n`` under ``notify.*``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.i18n import t
from lasna import access
from lasna import users as users_mod
from lasna.access import Viewer
from lasna.errors import AccessDenied, LasnaError, NotFoundError
from lasna.notify.hours import WEEKDAYS
from lasna.users import Role

DAYS = {"fi": ("ma", "ti", "ke", "to", "pe", "la", "su"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def tx(key: str, lang: str) -> str:
    return t("notify." + key, lang)


# ---------------------------------------------------------------- loaders (authorised here)
def notification_scope(viewer: Viewer) -> list[int] | None:
    """User ids whose delivery status ``viewer`` may see: admins all (None), consultants themselves
    and the executives of leaders they may see; executives none (no health page)."""
    if viewer.role is Role.EXECUTIVE:
        raise AccessDenied("executives cannot see collection health")
    if viewer.is_admin:
        return None
    every, cohorts_ = data.directory()
    leaders = access.detail_leader_ids(viewer, every, cohorts_)
    return [u.id for u in users_mod.list_users(data.store())
            if u.name == viewer.name or (u.role is Role.EXECUTIVE and u.leader_id in leaders)]


def delivery_status(viewer: Viewer) -> pd.DataFrame:
    """Per user and kind: sent, queued, failed, last error, next try (the health page's section)."""
    from lasna.notify import delivery_status as status

    scope = notification_scope(viewer)
    frame = status(data.store(), scope)
    everyone = users_mod.list_users(data.store())
    missing = [u.name for u in everyone if not u.email and (scope is None or u.id in scope)]
    frame.attrs["without_email"] = missing
    return frame


def own_status(viewer: Viewer) -> pd.DataFrame:
    from lasna.notify import delivery_status as status

    user = users_mod.get_user(data.store(), viewer.name)
    return status(data.store(), [user.id])


# ---------------------------------------------------------------- the sidebar box
def sidebar(viewer: Viewer, lang: str) -> None:
    """*My notifications*: the signed-in user's own digest and alert preferences."""
    if viewer.demo:
        return
    from lasna.notify import get_preferences, set_preferences

    s = data.store()
    try:
        user = users_mod.get_user(s, viewer.name)
    except NotFoundError:
        return
    prefs = get_preferences(s, user.id)
    with st.sidebar.expander(tx("box", lang), icon=":material/mail:"):
        if not user.email:
            st.caption(tx("no_email", lang))
        else:
            st.caption(tx("to", lang).format(email=user.email))
        with st.form("my_notifications", border=False):
            digest = st.toggle(tx("digest", lang), value=prefs.digest, key="notify_digest")
            weekday = st.selectbox(tx("weekday", lang), range(7), index=prefs.digest_weekday,
                                   format_func=lambda i: DAYS["fi" if lang == "fi" else "en"][i], key="notify_weekday")
            alerts = prefs.alerts
            threshold = prefs.threshold_hours
            if user.role is Role.EXECUTIVE:
                alerts = st.toggle(tx("alerts", lang), value=prefs.alerts, key="notify_alerts")
                threshold = st.number_input(tx("threshold", lang), min_value=1.0, max_value=336.0, step=1.0,
                                            value=float(prefs.threshold_hours), key="notify_threshold")
            langs = ["fi", "en"]
            chosen = st.selectbox(tx("lang", lang), langs, index=langs.index(prefs.lang or lang if (prefs.lang or lang)
                                                                             in langs else "fi"),
                                  format_func={"fi": "suomi", "en": "English"}.get, key="notify_lang")
            if st.form_submit_button(tx("save", lang)):
                try:
                    set_preferences(s, user.name, digest=digest, weekday=WEEKDAYS[weekday], alerts=alerts,
                                    threshold=threshold, lang=chosen)
                    st.success(tx("saved", lang))
                except LasnaError as exc:
                    st.error(str(exc))
        status = own_status(viewer)
        if len(status):
            sent = status["last_sent"].dropna()
            if len(sent):
                st.caption(tx("last", lang).format(when=pd.Timestamp(sent.max()).strftime("%Y-%m-%d %H:%M")))
            errors = status["last_error"].dropna()
            if len(errors):
                st.warning(tx("failing", lang).format(error=str(errors.iloc[0])[:200]))


# ---------------------------------------------------------------- the health page section
def health_section(viewer: Viewer, lang: str) -> None:
    st.subheader(tx("health", lang))
    frame = delivery_status(viewer)
    without = frame.attrs.get("without_email", [])
    if frame.empty:
        st.info(tx("health_none", lang))
    else:
        failing = frame[frame["failed"] > 0]
        if len(failing):
            st.warning(tx("health_failed", lang).format(n=failing["user"].nunique()))
        st.dataframe(
            frame,
            column_config={
                "user": tx("col.user", lang), "kind": tx("col.kind", lang), "sent": tx("col.sent", lang),
                "pending": tx("col.pending", lang), "failed": tx("col.failed", lang),
                "last_sent": st.column_config.DatetimeColumn(tx("col.last_sent", lang), format="YYYY-MM-DD HH:mm"),
                "last_error": st.column_config.TextColumn(tx("col.last_error", lang), width="large"),
                "next_attempt_at": st.column_config.DatetimeColumn(tx("col.next", lang), format="YYYY-MM-DD HH:mm"),
            },
            hide_index=True, width="stretch", key="notify_status_table",
        )
    if without:
        st.caption(f"{tx('col.email', lang)}: – " + ", ".join(without))
