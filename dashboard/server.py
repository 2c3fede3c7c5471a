"""What `lasna dashboard` runs: the Streamlit app (``app.py``) plus the two session-cookie
endpoints of ``dashboard/endpoints.py`` (``streamlit run dashboard/server.py``).

Started as ``streamlit run dashboard/app.py`` instead, everything works except that a local
login then lasts only as long as the browser tab's connection (no cookie endpoint).
"""

import os

import streamlit as st

from dashboard import endpoints

# tells dashboard/auth.py that the cookie endpoints are served (a reload then stays signed in)
os.environ["LASNA_DASHBOARD_COOKIE_ENDPOINT"] = "1"
app = st.App("app.py", routes=endpoints.routes())
