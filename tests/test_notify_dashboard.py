"""The *My notifications* box and the e-mail section of the Collection health page (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import SESSION_KEY
from lasna import users
from lasna.notify import get_preferences
from lasna.notify.smtp import DeliveryError
from lasna.store import Store
from lasna.store import notify as outbox

from notify_seed import NOW, seed

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")


@pytest.fixture
def dash(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'dash.db'}"
    store = Store.open(url)
    seed(store)
    # one delivered and one failing digest, straight through the outbox API
    for name, fail in (("aino", False), ("ben", True)):
        user = users.get_user(store, name)
        key = f"digest:{user.id}:2026-W50"
        outbox.add_message(store, {"key": key, "kind": "digest", "user_id": user.id, "period": "2026-W50",
                                   "recipient": user.email, "lang": "fi", "subject": "s", "body_text": "t",
                                   "body_html": "h", "message_id": "<m@x>"}, [user.leader_id], now=NOW)
        row = outbox.due_messages(store, NOW, kind="digest", user_ids=[user.id])[0]
        assert outbox.claim(store, row, "test:1", NOW)
        if fail:
            outbox.mark_failed(store, row["id"], 1, str(DeliveryError("ben@example.org refused: 550 no such user")),
                               NOW)
        else:
            outbox.mark_sent(store, row["id"], 1, NOW)
    monkeypatch.setenv("LASNA_DATABASE_URL", url)
    monkeypatch.setenv("LASNA_DASHBOARD_HOST", "0.0.0.0")
    monkeypatch.setenv("LASNA_DASHBOARD_SCORES", "0")
    monkeypatch.setenv("LASNA_DASHBOARD_COACHING", "0")
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()

    def make(user: str, lang: str = "en") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        at.session_state["lang"] = lang
        at.session_state[SESSION_KEY] = user
        return at

    yield store, make
    store.close()


def _text(at) -> str:
    parts = [str(e.value) for kind in ("subheader", "caption", "warning", "info", "success") for e in getattr(at, kind)]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


def test_health_page_shows_delivery_per_user(dash):
    store, make = dash
    at = make("conny")
    at.switch_page("views/health.py").run()
    assert not at.exception
    text = _text(at)
    assert "E-mail notifications" in text and "Messages to 1 user(s) are failing." in text
    assert "550 no such user" in text and "aino" in text
    assert "carla" not in text  # not conny's leader's executive


def test_my_notifications_box_saves_the_users_own_preferences(dash):
    store, make = dash
    at = make("aino", lang="fi").run()
    assert not at.exception
    assert any("aino@example.org" in str(c.value) for c in at.sidebar.caption)
    at.sidebar.toggle(key="notify_digest").set_value(False)
    at.sidebar.selectbox(key="notify_weekday").set_value(3)
    at.sidebar.number_input(key="notify_threshold").set_value(12.0)
    next(b for b in at.sidebar.button if b.label == "Tallenna").click().run()
    assert not at.exception
    assert any("Tallennettu" in str(s.value) for s in at.sidebar.success)
    prefs = get_preferences(store, users.get_user(store, "aino").id)
    assert (prefs.digest, prefs.digest_weekday, prefs.threshold_hours) == (False, 3, 12.0)
    assert get_preferences(store, users.get_user(store, "ben").id).digest  # nobody else's changed


def test_the_box_says_when_there_is_no_email(dash):
    store, make = dash
    users.add_user(store, "noemail", "executive", password="a long enough password", leaders=["Carla Cruz"])
    at = make("noemail").run()
    assert not at.exception
    assert any("no e-mail address" in str(c.value) for c in at.sidebar.caption)
