"""The low-coverage flag next to every responsiveness figure (issue #14): a thread whose replies were
mostly not collected (the platform counts many more than were stored, and the collector reported why)
is flagged in ``lasna score --json``, in the report (HTML, PDF, CSV; fi and en) and on the Sparring page."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from coaching.texts import phrase
from lasna.cli import main
from lasna.store import Store
from lasna.types import Interaction, InteractionKind, Platform, Post
from tests import dashboard_seed as seed

LEADER = seed.CONSULTANT_LEADER


@pytest.fixture(scope="module")
def poor_db(tmp_path_factory):
    """The dashboard's seeded store plus one of the leader's posts whose replies were mostly not collected."""
    from lasna import coverage, pipeline

    url = f"sqlite:///{tmp_path_factory.mktemp('cov') / 'seeded.db'}"
    store = seed.seed(url)
    leader = store.leader(LEADER)
    account = next(a for a in store.accounts(leader_id=leader.id) if a.platform == Platform.BLUESKY)
    before = coverage.summary(store, [leader.id], since=datetime.now(UTC) - timedelta(days=30),
                              until=datetime.now(UTC))[leader.id]
    at = datetime.now(UTC) - timedelta(days=2)
    root = Post(id=f"at://{account.stable_id}/app.bsky.feed.post/poorthread", platform=Platform.BLUESKY,
                author_id=account.stable_id, created_at=at, indexed_at=at, text="Mitä mieltä olette?",
                reply_count=4 * before["reported"] + 40)
    got = [Interaction(id=f"at://did:plc:r{k:022d}/app.bsky.feed.post/x", platform=Platform.BLUESKY,
                       kind=InteractionKind.REPLY, author_id=f"did:plc:r{k:022d}", created_at=at + timedelta(hours=1),
                       indexed_at=at + timedelta(hours=1), text="Hyvä kysymys", parent_id=root.id, root_id=root.id)
           for k in range(3)]
    store.save_batch(account, posts=[root], interactions=got, reply_losses={root.id: {"withheld": 5}})
    pipeline.after_ingest(store, [leader.id])
    yield url, leader.id, root
    store.close()


def test_summaries_of_several_windows_equal_one_summary_each(poor_db):
    """``coverage.summaries`` (Sparring's period and baseline, the ledger read once) gives what
    ``coverage.summary`` gives for each window alone, the poorly collected thread included."""
    from lasna import coverage

    url, leader_id, _ = poor_db
    store = Store.open(url)
    now = datetime.now(UTC)
    windows = [(now - timedelta(days=30), now), (now - timedelta(days=60), now - timedelta(days=30)),
               (now - timedelta(days=7), None), (None, now - timedelta(days=10)), (None, None)]
    for ids in ([leader_id], [leader_id, leader_id + 1], None):
        got = coverage.summaries(store, ids, windows)
        want = [coverage.summary(store, ids, since=a, until=b) for a, b in windows]
        assert got == want
    assert got[0][leader_id]["low_coverage"] and got[0] != got[1]  # the windows differ: the test can fail


def test_the_flag_is_in_lasna_score_json(poor_db, capsys):
    url, leader_id, root = poor_db
    assert main(["--database", url, "score", "--json", "--leader", LEADER, "--days", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    cov = next(e for e in out["leaders"] if e["leader_id"] == leader_id)["coverage"]
    assert cov["low_coverage"] is True and cov["collected"] < 0.8 * cov["reported"]
    assert cov["reasons"]["withheld"] == 5 and cov["threshold"] == 0.8 and cov["min_reported"] == 10
    assert cov["low_coverage_rows"], "the week holding the thread is listed"


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_flag_is_in_the_report_html_pdf_and_csv(poor_db, lang):
    from coaching.reports import report_csv, report_html, report_pdf
    from lasna.coach_service import CoachService

    url, leader_id, root = poor_db
    svc = CoachService(Store.open(url), days=30)
    report = svc.leader_report(LEADER, lang=lang)
    assert report.coverage["low_coverage"] is True
    warning = phrase("report.coverage.low", lang, collected=report.coverage["collected"],
                     reported=report.coverage["reported"], share="X", threshold="Y", min=10).split("(")[0].strip()
    html = report_html(report)
    assert html.count('class="coverage low"') == 2  # by the scores and by the components
    assert warning in html
    pdf = " ".join(" ".join(pg.extract_text().split()) for pg in PdfReader(io.BytesIO(report_pdf(report))).pages)
    flag = phrase("report.coverage.flag", lang)
    assert flag in pdf
    rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(report_csv(report, "standard")))}
    assert rows["low_coverage"]["value"] == "1" and rows["low_coverage"]["kind"] == "coverage"
    assert float(rows["reply_coverage"]["value"]) < 0.8
    assert int(float(rows["reply_coverage"]["n"])) == report.coverage["reported"]


def test_a_fully_collected_leader_is_not_flagged_in_the_report(poor_db):
    from coaching.reports import coverage_text, report_csv
    from lasna.coach_service import CoachService

    url, *_ = poor_db
    svc = CoachService(Store.open(url), days=30)
    report = svc.leader_report(seed.EXEC_LEADER, lang="en")
    assert report.coverage["low_coverage"] is False
    assert not coverage_text(report).startswith("⚠")
    rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(report_csv(report, "standard")))}
    assert rows["low_coverage"]["value"] == "0"


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_flag_is_on_the_sparring_page(poor_db, monkeypatch, lang):
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import SESSION_KEY
    from dashboard.i18n import t
    from tests.test_dashboard import APP, PAGE_FILES, _clear_caches

    url, *_ = poor_db
    monkeypatch.setenv("LASNA_DATABASE_URL", url)
    monkeypatch.setenv("LASNA_DASHBOARD_HOST", "0.0.0.0")
    monkeypatch.setenv("LASNA_DASHBOARD_SCORES", "0")
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["lang"] = lang
    at.session_state[SESSION_KEY] = "conny"
    at.query_params["leader"] = LEADER
    at.run()
    at.switch_page(PAGE_FILES["sparring"]).run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    low = t("coverage.low", lang).split("{")[0]
    flagged = [c for c in captions if low in c]
    assert len(flagged) == 1 and flagged[0].startswith(t("col.period", lang) + ": "), captions
