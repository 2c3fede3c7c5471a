"""Audit log (admins): who viewed or exported which leader's data and who changed what —
``Store.audit_events`` through the data layer, newest first."""

import pandas as pd
import streamlit as st

from dashboard import auth, data
from dashboard.i18n import t

viewer, lang = auth.page("audit")
st.title(t("audit.title", lang))
st.caption(t("audit.caption", lang))
try:
    events = data.audit_events(viewer, limit=500)
except TypeError:  # an audit_events() without a limit
    events = data.audit_events(viewer)
if events is None:
    st.info(t("audit.unavailable", lang))
    st.stop()
frame = events if isinstance(events, pd.DataFrame) else pd.DataFrame([
    e if isinstance(e, dict) else (e._asdict() if hasattr(e, "_asdict") else vars(e)) for e in events
])
if frame.empty:
    st.info(t("audit.none", lang))
else:
    st.dataframe(frame, hide_index=True, width="stretch", key="audit_table")
