"""Issue #15 in the dashboard: Finnish formats, honest charts, phone-first waiting cards, Collection
health states and starting a collection, the CSV a Finnish Excel opens."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pandas as pd
import pytest

from dashboard import charts
from dashboard.i18n import (
    DATETIME_COLUMN,
    error_text,
    fmt_datetime,
    fmt_percent,
    fmt_points,
    metric_delta,
    t,
)
from lasna.store import Store
from tests import dashboard_seed as seed
from tests.test_dashboard import app as app  # noqa: F401 - the fixture
from tests.test_dashboard import open_page, seeded_db as seeded_db  # noqa: F401
from tests.test_dashboard import table


# ------------------------------------------------------------------ formats
def test_finnish_dates_percentages_and_point_changes():
    moment = pd.Timestamp("2026-11-28 18:25", tz="UTC")  # 20.25 in Helsinki
    assert fmt_datetime(moment, "fi") == "28.11.2026 klo 20.25"
    assert fmt_datetime(moment, "en") == "28 Nov 2026, 20:25"
    assert fmt_datetime(pd.NaT, "fi") == fmt_datetime(None, "en") == "–"
    assert fmt_percent(0.0406, "fi") == "4\u00a0%" and fmt_percent(0.0406, "en") == "4%"
    assert fmt_percent(None, "fi") == "–"
    assert fmt_points(0.08, "fi") == "+8 %-yks." and fmt_points(-0.08, "en") == "−8 pp"
    assert metric_delta(0, "fi") == ("±0", "off")  # a neutral zero: no green "↑ +0"
    assert metric_delta(0.001, "fi", percent=True) == ("±0 %-yks.", "off")
    assert metric_delta(-3, "fi") == ("-3", "normal")
    assert metric_delta(None, "fi") == (None, "off")
    assert DATETIME_COLUMN["fi"] == "D.M.YYYY [klo] H.mm"


def test_add_leader_errors_are_finnish_in_the_finnish_ui():
    from lasna import registry
    from lasna.errors import InputError

    for kwargs, words in ((dict(bluesky="liisa"), "tarkoititko liisa.bsky.social"),
                          (dict(mastodon="x"), "Mastodon-osoite"),
                          (dict(feeds=["ftp://x.fi/feed"]), "pitää alkaa http")):
        with pytest.raises(InputError) as err:
            registry.LeaderSpec.parse("X", **kwargs)
        assert words in error_text(err.value, "fi")
        assert error_text(err.value, "en") == str(err.value)
    assert error_text(InputError("something new"), "fi").startswith("Tallennus ei onnistunut")


def test_presence_headline_shows_points_and_local_times(app):
    at = open_page(app("eero", "fi"), "presence")
    metrics = {m.label: m for m in at.metric}
    answered = metrics[t("metric.answered", "fi")]
    assert answered.value == "–" or answered.value.endswith("\u00a0%")
    assert answered.proto.delta == "" or answered.proto.delta.endswith("%-yks.")
    for m in at.metric:  # no green "↑ +0"
        if m.proto.delta.startswith("±"):
            assert m.proto.delta_color == 2 or "off" in str(m.proto).lower()
    recent = next(df for df in at.dataframe if {"kind", "text", "created_at"} <= set(df.value.columns))
    assert str(recent.value["created_at"].dt.tz) == "Europe/Helsinki"
    assert "[klo]" in str(recent.proto)


def test_waiting_is_cards_with_the_message_and_an_open_button(app):
    at = open_page(app("eero", "en"), "presence")
    buttons = [b for b in at.get("link_button") if b.proto.label == t("waiting.open", "en")]
    assert buttons and all(b.proto.url.startswith("https://") for b in buttons)
    texts = [e.value for e in at.text]
    assert any(" · " in line and t("waiting.ago", "en").split("{")[0] in line for line in texts)
    assert table(at, "age", "author") is None  # no wide grid with the message off-screen


def test_cohorts_heading_says_the_scores_are_the_executives_own(app, monkeypatch):
    monkeypatch.setenv("LASNA_DASHBOARD_SCORES", "1")
    from dashboard import data

    at = open_page(app("eero", "fi"), "cohorts")
    assert data.scores_enabled()  # read from the facts on demand: nothing to wait for
    headings = [h.value for h in at.subheader]
    assert t("cohorts.own_scores", "fi") in headings


# ------------------------------------------------------------------ charts
NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)  # a Tuesday: the week of 30.11. is not over


def test_weekly_chart_marks_the_unfinished_week_and_has_a_dated_axis():
    weeks = pd.date_range("2026-11-02", "2026-11-30", freq="W-MON")
    activity = pd.DataFrame({"leader": "A", "week": weeks, "kind": "post", "count": [3, 4, 2, 5, 1]})
    fig = charts.weekly_posts(activity, "fi", now=NOW)
    bar = fig.data[0]
    assert list(bar.marker.opacity) == [1, 1, 1, 1, 0.35]
    assert any(a.text == t("chart.partial_week", "fi") for a in fig.layout.annotations)
    assert fig.layout.xaxis.tickformat == charts.DATE_TICKS["fi"]
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.yref == "container"  # below the plot
    assert fig.layout.legend.y == 0 and fig.layout.legend.yanchor == "bottom"
    assert fig.layout.title.x == 0 and charts.CONFIG["displayModeBar"] is False
    lines = charts.weekly_posts(activity.assign(leader="B"), "fi", stacked_by="leader", now=NOW)
    assert pd.Timestamp("2026-11-30") not in list(pd.to_datetime(lines.data[0].x))


def test_cohort_median_does_not_fall_to_zero_in_the_current_week():
    weeks = pd.date_range("2026-11-02", "2026-11-30", freq="W-MON")
    bands = pd.DataFrame({"week": weeks, "p25": [1, 1, 2, 1, 0], "p50": [2, 3, 3, 2, 0], "p75": [4, 4, 5, 4, 0],
                          "mean": [2, 3, 3, 2, 0]})
    fig = charts.cohort_bands(bands, None, "en", now=NOW)
    median = next(tr for tr in fig.data if tr.name == t("chart.median", "en"))
    assert min(median.y) > 0 and len(median.y) == 4


def test_a_partial_month_is_an_open_marker_and_a_day_of_data_is_left_out():
    starts = pd.to_datetime(["2026-10-01", "2026-11-01", "2026-12-01"], utc=True)
    ends = pd.to_datetime(["2026-11-01", "2026-11-21", "2026-12-01T10:00"], utc=True, format="ISO8601")
    trend = pd.DataFrame({"bucket": starts, "bucket_end": ends, "period_start": starts, "openness": [40, 50, 0],
                          "responsiveness": [1, 2, 3], "network": [1, 2, 3], "consistency": [1, 2, 3]})
    fig = charts.composite_trend(trend, "fi")
    xs = {pd.Timestamp(x) for tr in fig.data for x in tr.x}
    assert pd.Timestamp("2026-12-01", tz="UTC") not in xs  # December with a few hours: not a point
    dotted = [tr for tr in fig.data if tr.line.dash == "dot"]
    assert len(dotted) == 4 and list(dotted[0].marker.symbol)[-1] == "circle-open"
    assert fig.layout.xaxis.tickformat == charts.MONTH_TICKS["fi"]


# ------------------------------------------------------------------ collection health
def test_new_accounts_wait_for_their_first_collection(app, seeded_db):
    store = Store.open(seeded_db)
    leader = store.add_leader("Tuore Johtaja")
    from lasna.types import Platform

    store.add_account(leader.id, Platform.BLUESKY, "tuore.bsky.social")
    at = open_page(app("ada", "fi"), "health")
    accounts = table(at, "state", "last_ok")
    row = accounts[accounts["account"] == "tuore.bsky.social"].iloc[0]
    assert row["state"] == t("health.state.first", "fi")
    assert row["last_error"] == "–" and "None" not in accounts.astype(str).to_numpy()
    assert any("odottaa ensimmäistä keräystä" in i.value for i in at.info)


def test_admin_starts_a_collection_and_sees_its_outcome(app, monkeypatch):
    from collectors import runner
    from lasna.types import AccountOutcome, Platform

    calls = []
    release = threading.Event()

    def fake_run(store, *, leaders=None, on_start=None, on_outcome=None, **_):
        calls.append(leaders)
        on_start(2)
        on_outcome(AccountOutcome(leader=seed.CONSULTANT_LEADER, platform=Platform.BLUESKY, account="a.bsky.social",
                                  new_posts=3, new_interactions=4, requests=2))
        release.wait(10)
        on_outcome(AccountOutcome(leader=seed.CONSULTANT_LEADER, platform=Platform.FEED, account="https://x/feed",
                                  error="HTTP 404"))
        return runner.RunReport(run_id="r1")

    monkeypatch.setattr(runner, "run_collection", fake_run)
    at = open_page(app("ada", "en"), "health")
    at.selectbox(key="collect_scope").set_value(seed.CONSULTANT_LEADER).run()
    at.button(key="collect_start").click().run()
    assert not at.exception, at.exception
    assert calls == [[seed.CONSULTANT_LEADER]]
    progress = at.get("progress")
    assert progress and "1 / 2" in progress[0].proto.text
    assert at.button(key="collect_start").disabled  # one run at a time
    release.set()
    from dashboard import collect_job

    for _ in range(50):
        if collect_job.current().done:
            break
        time.sleep(0.1)
    at.run()
    assert any("2 accounts, 1 failed" in w.value and "3 new posts" in w.value for w in at.warning)
    outcomes = table(at, "new_posts", "error")
    assert "HTTP 404" in set(outcomes["error"])


def test_only_admins_start_collections(app, seeded_db):
    from dashboard import collect_job
    from lasna import users
    from lasna.access import Viewer
    from lasna.errors import AccessDenied

    conny = Viewer.from_user(users.get_user(Store.open(seeded_db), "conny"))
    with pytest.raises(AccessDenied):
        collect_job.start(conny)
    at = open_page(app("conny", "en"), "health")
    assert not [b for b in at.button if b.key == "collect_start"]


# ------------------------------------------------------------------ the CSV download in Finnish
def test_finnish_csv_download_is_for_excel(app, seeded_db):
    from dashboard import data
    from lasna import users
    from lasna.access import Viewer

    open_page(app("conny", "fi", leader=seed.CONSULTANT_LEADER), "sparring")  # coaching ready
    conny = Viewer.from_user(users.get_user(Store.open(seeded_db), "conny"))
    leader_id = Store.open(seeded_db).leader(seed.CONSULTANT_LEADER).id
    raw = data.leader_report(conny, leader_id, "csv", "fi")
    assert raw.startswith(b"\xef\xbb\xbfleader;leader_id;")
    assert data.leader_report(conny, leader_id, "csv", "en").startswith(b"leader,leader_id,")


def test_message_tables_say_what_a_repost_shares_and_never_none():
    from dashboard.widgets import message_frame

    frame = pd.DataFrame({
        "created_at": pd.to_datetime(["2026-11-28T18:25Z", "2026-11-28T19:00Z", "2026-11-28T20:00Z"]),
        "text": ["", None, "oma teksti"],
        "repost_of_id": ["at://did:plc:abc/app.bsky.feed.post/3k", None, None],
        "author": [None, "Liisa", ""],
    })
    out = message_frame(frame)
    assert list(out["text"]) == ["↻ https://bsky.app/profile/did:plc:abc/post/3k", "–", "oma teksti"]
    assert list(out["author"]) == ["–", "Liisa", "–"]
    assert str(out["created_at"].dt.tz) == "Europe/Helsinki" and out["created_at"].iloc[0].hour == 20
