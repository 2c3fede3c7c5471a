"""Audit log (admins): who viewed or exported which leader's data and who changed what —
``Store.audit_events`` through the data layer, newest first, with translated headings, times in the
programme's zone and "–" for an empty cell."""

import pandas as pd
import streamlit as st

from dashboard import auth, data, widgets
from dashboard.i18n import DATETIME_COLUMN, local_times, t

viewer, lang = auth.page("audit")
st.title(t("audit.title", lang))
st.caption(t("audit.caption", lang))
events = data.audit_events(viewer, limit=500)
if events is None:
    st.info(t("audit.unavailable", lang))
    st.stop()
frame = pd.DataFrame([{
    "at": e.at, "actor": e.actor, "action": e.action,
    # the target's current name while it exists, else what it was (kind and id)
    "target": e.target_label or (f"{e.target_kind} {e.target_id}" if e.target_kind and e.target_id is not None
                                 else e.target_kind),
    "via": e.via,
} for e in events], columns=["at", "actor", "action", "target", "via"])
for col in ("actor", "action", "target", "via"):
    frame[col] = frame[col].astype(object).where(frame[col].notna() & (frame[col].astype(str) != ""), "–")
widgets.table(
    local_times(frame, "at"), lang, empty_key="audit.none",
    column_config={
        "at": st.column_config.DatetimeColumn(t("col.time", lang), format=DATETIME_COLUMN[lang]),
        "actor": t("col.actor", lang), "action": t("col.action", lang), "target": t("col.target", lang),
        "via": t("col.via", lang),
    },
    key="audit_table",
)
