"""The coaching layer in the dashboard: tips with Done / Not now, goals, sparring sessions and
report downloads, each authorised in the data layer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard.i18n import t
from lasna import users
from lasna.access import Viewer
from lasna.errors import AccessDenied
from lasna.store import Store
from lasna.window import today as programme_today
from tests import dashboard_seed as seed
from tests.test_dashboard import APP, PAGE_FILES, _clear_caches, all_text  # noqa: F401 - shared helpers
from tests.test_dashboard import app as app  # noqa: F401 - the fixture
from tests.test_dashboard import open_page, table


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> str:
    """A fresh store for this module: the tests here write (feedback, sessions, goals)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('coach') / 'seeded.db'}"
    seed.seed(url).close()
    return url


def _viewer(url: str, name: str) -> Viewer:
    return Viewer.from_user(users.get_user(Store.open(url), name))


def waiting_kinds(at) -> list[str]:
    """The kind on each "who is waiting" card (its first line: author · kind · waiting …)."""
    kinds = {t(f"waiting.kind.{k}", "en") for k in ("reply", "mention", "comment")}
    out = []
    for line in (e.value for e in at.text):
        parts = line.split(" · ")
        if len(parts) == 3 and parts[1] in kinds and parts[2].startswith(t("waiting.ago", "en").split("{")[0]):
            out.append(parts[1])
    return out


def _buttons(at, prefix: str):
    return [b for b in at.button if b.key and b.key.startswith(prefix)]


def test_tips_are_shown_and_done_or_not_now_hides_them(app, seeded_db):
    at = open_page(app("eero", "en"), "presence")
    assert at.subheader and t("tips.title", "en") in [s.value for s in at.subheader]
    done = _buttons(at, "tip_done_")
    later = _buttons(at, "tip_later_")
    assert 1 <= len(done) <= 3 and len(later) == len(done)
    keys = [b.key.removeprefix("tip_done_") for b in done]
    assert "answer_waiting" in keys  # Markku leaves most replies unanswered in the demo
    text = all_text(at)
    assert t("tips.this_week", "en") in text and "Step 2" in text
    assert "](https://" in text  # evidence as a plain http(s) link
    waiting = waiting_kinds(at)  # coaching's waiting(): mentions count too
    assert t("waiting.kind.mention", "en") in waiting and len(waiting) >= 10

    at.button(key="tip_done_answer_waiting").click().run()
    assert not at.exception, at.exception
    assert "tip_done_answer_waiting" not in [b.key for b in _buttons(at, "tip_done_")]
    second = _buttons(at, "tip_later_")[0].key.removeprefix("tip_later_")
    at.button(key=f"tip_later_{second}").click().run()
    assert not at.exception, at.exception
    shown = [b.key.removeprefix("tip_done_") for b in _buttons(at, "tip_done_")]
    assert "answer_waiting" not in shown and second not in shown

    store = Store.open(seeded_db)
    feedback = {(f.tip_key, f.action) for f in store.tip_feedback(store.leader(seed.EXEC_LEADER).id)}
    assert {("answer_waiting", "done"), (second, "dismissed")} <= feedback
    # a new session (another day's visit) still does not see them
    at = open_page(app("eero", "fi"), "presence")
    shown = [b.key.removeprefix("tip_done_") for b in _buttons(at, "tip_done_")]
    assert "answer_waiting" not in shown and second not in shown


def test_executive_cannot_see_another_leaders_tips_or_record_sessions(app, seeded_db):
    at = open_page(app("eero", "en", leader=seed.OTHER_LEADER), "presence")
    assert seed.OTHER_LEADER not in all_text(at)
    assert at.warning and at.warning[0].value == t("access.leader_denied", "en")
    eero = _viewer(seeded_db, "eero")
    store = Store.open(seeded_db)
    own, other = store.leader(seed.EXEC_LEADER).id, store.leader(seed.OTHER_LEADER).id
    with pytest.raises(AccessDenied):
        from dashboard import data

        data.tips(eero, other, "en")
    with pytest.raises(AccessDenied):
        data.dismiss_tip(eero, other, "answer_waiting", "done")
    with pytest.raises(AccessDenied):
        data.goal_progress(eero, other)
    with pytest.raises(AccessDenied):
        data.coach_waiting(eero, other)
    today = date.today()
    for leader in (own, other):  # not even for his own leader: sessions are the consultant's
        with pytest.raises(AccessDenied):
            data.record_session(eero, leader, period_start=today - timedelta(days=30), period_end=today)
        with pytest.raises(AccessDenied):
            data.session_history(eero, leader)
        with pytest.raises(AccessDenied):
            data.add_goal(eero, leader, "response_rate", 0.6, today + timedelta(days=60))
        with pytest.raises(AccessDenied):
            data.leader_report(eero, leader, "csv", "en")
    assert store.sessions(own) == [] and store.goals(own) == []


def test_consultant_records_a_session_and_it_appears_in_history(app, seeded_db):
    at = open_page(app("conny", "en", leader=seed.CONSULTANT_LEADER), "sparring")
    assert t("session.none", "en") in [c.value for c in at.caption]
    at.text_area(key="session_notes").input("Talked about rhythm.")
    at.text_area(key="session_actions").input("Post every Tuesday\n\n  Answer three questions  \n")
    at.button(key="FormSubmitter:session_form-" + t("session.save", "en")).click().run()
    assert not at.exception, at.exception
    assert t("session.saved", "en") in [s.value for s in at.success]
    text = all_text(at)
    assert "Post every Tuesday" in text and "Answer three questions" in text and "Talked about rhythm." in text
    store = Store.open(seeded_db)
    (note,) = store.sessions(store.leader(seed.CONSULTANT_LEADER).id)
    assert note.actions == ("Post every Tuesday", "Answer three questions") and note.consultant == "conny"
    # the page's period ends today in the programme time zone (lasna.window), not the machine's UTC date
    assert note.next_session is not None and note.period_end == programme_today()

    # a later session: the newest one's actions come first
    conny = _viewer(seeded_db, "conny")
    from dashboard import data

    today = date.today()
    data.record_session(conny, note.leader_id, period_start=today - timedelta(days=13), period_end=today,
                        actions=["Thank a colleague publicly"], held_on=today + timedelta(days=1))
    history = data.session_history(conny, note.leader_id)
    assert [s.actions[0] for s in history] == ["Thank a colleague publicly", "Post every Tuesday"]
    at = open_page(app("conny", "en", leader=seed.CONSULTANT_LEADER), "sparring")
    markdown = [m.value for m in at.markdown]
    first = next(i for i, m in enumerate(markdown) if "Thank a colleague publicly" in m)
    assert all("Post every Tuesday" not in m for m in markdown[: first + 1])
    report_pick = next(s for s in at.selectbox if s.key.startswith("report_session_"))
    assert report_pick.value == history[0].id  # the report includes the newest session by default
    # not for a leader outside the assignment
    with pytest.raises(AccessDenied):
        data.record_session(conny, store.leader(seed.EXEC_LEADER).id, period_start=today, period_end=today)


def _goal_form_open(at):
    """The "Add a goal" expander opened (the form and the current value behind it run only while open)."""
    from dashboard.coaching_ui import GOAL_FORM_KEY

    at.session_state[GOAL_FORM_KEY] = True
    return at


def test_goal_form_runs_only_while_its_expander_is_open(app, seeded_db, monkeypatch):
    from dashboard import data

    calls = []
    real = data.goal_current
    monkeypatch.setattr(data, "goal_current", lambda *a, **k: calls.append(a) or real(*a, **k))
    at = open_page(app("conny", "en", leader=seed.CONSULTANT_LEADER), "sparring")
    assert t("goals.add", "en") in [e.label for e in at.expander]
    assert not [s for s in at.selectbox if s.key == "goal_metric"] and not calls  # closed: nothing computed
    _goal_form_open(at).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="goal_metric").value == "response_rate" and calls


def test_consultant_sets_a_goal_and_its_status_shows_on_both_pages(app, seeded_db):
    at = open_page(_goal_form_open(app("conny", "en", leader=seed.CONSULTANT_LEADER)), "sparring")
    assert at.selectbox(key="goal_metric").value == "response_rate"  # not a 0–100 composite with "0.6"
    at.selectbox(key="goal_metric").set_value("response_rate").run()
    at.text_input(key="goal_target_response_rate").input("70").run()
    at.button(key="goal_save").click().run()
    assert not at.exception, at.exception
    assert t("goals.saved", "en") in [s.value for s in at.success]
    statuses = {t(f"goal.status.{s}", "en") for s in ("not_started", "no_data", "on_track", "at_risk", "met", "missed")}
    goals = table(at, "target", "status")
    assert list(goals["target"]) == ["70%"] and goals["status"].iloc[0] in statuses
    at = open_page(app("conny", "en", leader=seed.CONSULTANT_LEADER), "presence")  # My presence shows it too
    goals = table(at, "target", "status")
    assert list(goals["target"]) == ["70%"] and goals["status"].iloc[0] in statuses
    assert goals["metric"].iloc[0] == "Response rate"
    store = Store.open(seeded_db)
    (goal,) = store.goals(store.leader(seed.CONSULTANT_LEADER).id)
    assert goal.created_by == "conny" and goal.metric == "response_rate"


def test_reports_download_as_html_pdf_and_csv(app, seeded_db):
    at = open_page(app("conny", "fi", leader=seed.CONSULTANT_LEADER), "sparring")
    downloads = [e for e in at.get("download_button")]
    assert len(downloads) == 3
    assert all(e.proto.deferred_file_id for e in downloads)  # generated (and authorised) when clicked
    from dashboard.coaching_ui import report_file_name

    assert report_file_name(seed.CONSULTANT_LEADER, "fi", "pdf") == "lasna-jari-makinen-fi.pdf"
    assert report_file_name("../<x> Ö", "en", "csv") == "lasna-x-o-en.csv"
    assert {e.proto.label for e in downloads} == {t(f"report.{f}", "fi") for f in ("html", "pdf", "csv")}

    from dashboard import data

    conny = _viewer(seeded_db, "conny")
    leader_id = Store.open(seeded_db).leader(seed.CONSULTANT_LEADER).id
    html = data.leader_report(conny, leader_id, "html", "fi").decode()
    assert html.lstrip().lower().startswith("<!doctype html") and seed.CONSULTANT_LEADER in html
    assert 'lang="fi"' in html
    pdf = data.leader_report(conny, leader_id, "pdf", "en")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    csv = data.leader_report(conny, leader_id, "csv", "en").decode()
    assert len(csv.splitlines()) > 3
    with pytest.raises(AccessDenied):
        data.leader_report(conny, Store.open(seeded_db).leader(seed.EXEC_LEADER).id, "pdf", "en")


def test_a_report_can_include_a_session_and_evidence_links_stay_inert(seeded_db, monkeypatch):
    from dashboard import data
    from dashboard.coaching_ui import safe_link

    monkeypatch.setenv("LASNA_DATABASE_URL", seeded_db)
    _clear_caches()
    ada = _viewer(seeded_db, "ada")
    leader_id = Store.open(seeded_db).leader(seed.AGG_LEADER).id
    today = date.today()
    note = data.record_session(ada, leader_id, period_start=today - timedelta(days=29), period_end=today,
                               actions=["Open the comments on every post"])
    html = data.leader_report(ada, leader_id, "html", "en", session_id=note.id).decode()
    assert "Open the comments on every post" in html
    assert "Open the comments on every post" not in data.leader_report(ada, leader_id, "html", "en").decode()

    assert safe_link("javascript:alert(1)") is None and safe_link(None) is None
    assert safe_link("https://x.example/a b)[c](javascript:1)") == "https://x.example/a%20b%29%5Bc%5D%28javascript:1%29"


def test_coaching_off_keeps_the_page_and_a_simple_waiting_list(app, monkeypatch):
    monkeypatch.setenv("LASNA_DASHBOARD_COACHING", "0")
    at = app("eero", "en").run()
    assert not at.exception, at.exception
    assert t("coach.off", "en") in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key and b.key.startswith("tip_")]
    waiting = waiting_kinds(at)
    # the one definition of "waiting" (coaching.waiting), also with coaching off: replies, mentions, comments
    assert len(waiting) > 0 and t("waiting.kind.reply", "en") in set(waiting)
    assert set(waiting) <= {t(f"waiting.kind.{k}", "en") for k in ("reply", "mention", "comment")}


def test_goal_form_reads_the_finnish_decimal_comma_and_refuses_nonsense(app, seeded_db):
    store = Store.open(seeded_db)
    leader_id = store.leader(seed.CONSULTANT_LEADER).id
    before = len(store.goals(leader_id))
    at = open_page(_goal_form_open(app("conny", "fi", leader=seed.CONSULTANT_LEADER)), "sparring")
    box = at.text_input(key="goal_target_response_rate")
    assert "%" in box.label  # the target is typed in the metric's own unit
    assert t("goals.current", "fi") in [m.label for m in at.metric]  # the current value beside it
    box.input("800").run()
    assert any("0–100 %" in e.value for e in at.error)
    at.button(key="goal_save").click().run()
    assert len(store.goals(leader_id)) == before  # nothing saved
    at.text_input(key="goal_target_response_rate").input("0,8").run()
    assert any("80 %" in c.value for c in at.caption)  # "will be saved as 80 %"
    at.button(key="goal_save").click().run()
    assert not at.exception, at.exception
    goals = store.goals(leader_id)
    assert len(goals) == before + 1 and goals[-1].target == pytest.approx(0.8)
    # a composite takes 1–100: "0,6" is refused with a Finnish message, not saved as 0.6
    at.selectbox(key="goal_metric").set_value("openness").run()
    at.text_input(key="goal_target_openness").input("0,6").run()
    assert any("1–100" in e.value and "Avoimuus" in e.value for e in at.error)
    at.button(key="goal_save").click().run()
    assert len(store.goals(leader_id)) == before + 1


def test_session_form_follows_the_pages_period(app, seeded_db):
    at = open_page(app("conny", "en", leader=seed.CONSULTANT_LEADER), "sparring")
    at.select_slider(key="spar_days").set_value(90).run()
    period = next(d for d in at.date_input if d.key.startswith("session_period_"))
    baseline = next(d for d in at.date_input if d.key.startswith("session_baseline_"))
    start, end = period.value
    assert (end - start).days == 90 and end == programme_today()
    assert baseline.value[1] == start - timedelta(days=1) and (baseline.value[1] - baseline.value[0]).days == 89
