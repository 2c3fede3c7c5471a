"""Dashboard pages through Streamlit's AppTest against a seeded temporary SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from lasna.demo import load_demo
from lasna.store import Store

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")
PAGES = ["views/presence.py", "views/sparring.py", "views/cohorts.py", "views/health.py"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'demo.db'}"
    load_demo(Store.open(url), today=datetime(2026, 11, 22, tzinfo=UTC))
    return url


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("LASNA_DATABASE_URL", demo_db)
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()

    def make(lang: str = "en") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        return at

    return make


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang, heading", [("en", None), ("fi", None)])
def test_every_page_renders_without_errors_in_both_languages(app, page, lang, heading):
    at = app(lang).run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    from dashboard.i18n import t

    key = {"presence": "presence.title", "sparring": "sparring.title", "cohorts": "cohorts.title", "health": "health.title"}
    expected = t(key[Path(page).stem], lang)
    assert [title.value for title in at.title] == [expected]


def test_presence_shows_the_chosen_leaders_numbers(app):
    at = app("en")
    at.query_params["leader"] = "Markku Nieminen"
    at.run()
    assert at.selectbox(key="leader_pick").value == "Markku Nieminen"
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Own posts"].replace(",", "")) > 50
    answered = float(metrics["Answered"].rstrip("%"))
    assert answered < 15  # the broadcaster answers almost nobody
    assert len(at.get("plotly_chart")) == 1


def test_language_switch_changes_the_ui(app):
    at = app("en").run()
    assert at.title[0].value == "My presence"
    at.selectbox(key="lang").set_value("fi").run()
    assert at.title[0].value == "Oma läsnäolo"


def test_empty_store_explains_how_to_start(tmp_path, monkeypatch):
    monkeypatch.setenv("LASNA_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert "lasna demo" in at.info[0].value


def test_weekly_activity_fills_empty_weeks_with_zero(demo_db):
    store = Store.open(demo_db)
    leader = store.leader("Jari Mäkinen")
    activity = data.weekly_activity(
        store.posts_frame([leader.id]), datetime(2025, 5, 5, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC)
    )
    per_week = activity.groupby("week")["count"].sum()
    assert (per_week == 0).sum() > 20  # the shooting star is silent most weeks
    assert per_week.sum() == len(store.posts_frame([leader.id]))
