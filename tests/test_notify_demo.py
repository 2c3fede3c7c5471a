"""Issue #16's "done when" on the demo data, and the pure pieces (rendering, the clock) on their own."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest

from lasna import users
from lasna.errors import ConfigError, InputError
from lasna.notify import check_alerts, send_digests, set_preferences
from lasna.notify import content, render
from lasna.notify.hours import BusinessHours, digest_due, in_quiet_hours, iso_week, parse_weekday
from lasna.notify.smtp import build_message, parse_config, redact
from lasna.store import Store

from coach_fixtures import TODAY, demo_url
from smtp_server import SmtpServer

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY = TODAY + timedelta(days=1)  # Monday 23 November 2026, 14:00 in Helsinki


@pytest.fixture
def demo(tmp_path, monkeypatch):
    source = demo_url().split("///", 1)[1]
    target = tmp_path / "demo.db"
    shutil.copy(source, target)
    store = Store.open(f"sqlite:///{target}")
    users.add_user(store, "markku", "executive", email="markku@example.org", leaders=["Markku Nieminen"],
                   password="a long enough password")
    users.add_user(store, "emma", "executive", email="emma@example.org", leaders=["Emma Clarke"],
                   password="a long enough password")
    users.add_user(store, "kaisa", "consultant", email="kaisa@example.org", cohorts=["Julkisjohtajat 2025–2026"],
                   password="a long enough password")
    users.add_user(store, "carl", "consultant", email="carl@example.org", leaders=["Emma Clarke", "Tom Becker"],
                   password="a long enough password")
    set_preferences(store, "carl", lang="en")
    server = SmtpServer(tmp_path).start()
    monkeypatch.setenv("LASNA_SMTP_URL", server.url.replace("smtp://", "smtp://", 1))
    monkeypatch.setenv("LASNA_SMTP_SENDER", "Läsnä <lasna@example.org>")
    monkeypatch.setenv("LASNA_SMTP_CA_FILE", server.ca_file)
    monkeypatch.setenv("LASNA_DASHBOARD_URL", "https://lasna.example.org")
    yield store, server
    server.stop()
    store.close()


@pytest.mark.slow
def test_demo_digests_and_alerts(demo):
    store, server = demo
    result = send_digests(store, now=MONDAY)
    assert result.ok and result.count("sent") == 4, result.to_dict()
    got = {r.rcpt_tos[0]: message_from_bytes(r.raw, policy=policy.default) for r in server.handler.received}
    assert set(got) == {"markku@example.org", "emma@example.org", "kaisa@example.org", "carl@example.org"}
    langs = {a: m["Content-Language"] for a, m in got.items()}
    assert langs == {"markku@example.org": "fi", "emma@example.org": "en", "kaisa@example.org": "fi",
                     "carl@example.org": "en"}
    html = {a: m.get_body(("html",)).get_content() for a, m in got.items()}
    text = {a: m.get_body(("plain",)).get_content() for a, m in got.items()}
    assert "Markku Nieminen" in html["markku@example.org"] and "Emma Clarke" not in html["markku@example.org"]
    assert "Liisa Virtanen" not in text["markku@example.org"]  # a cohort peer: never in his digest
    # the executive's four scores are the coaching service's numbers (one of them, rounded)
    from lasna.coach_service import CoachService

    svc = CoachService(store, today=MONDAY)
    row = svc.report().composites.set_index("leader").loc["Markku Nieminen"]
    for name, fi_name in (("openness", "Avoimuus"), ("responsiveness", "Vastaavuus")):
        assert re.search(rf"{fi_name}\s+{round(row[name])}\s", text["markku@example.org"]), name
    # the Finnish consultant's table: every member of her cohort, nobody else
    for leader in store.leaders():
        inside = "Julkisjohtajat 2025–2026" in leader.cohorts
        assert (leader.name in text["kaisa@example.org"]) == inside, leader.name
    assert "Your leaders" in text["carl@example.org"] and "Tom Becker" in html["carl@example.org"]
    assert "Markku Nieminen" not in text["carl@example.org"]
    assert send_digests(store, now=MONDAY + timedelta(hours=1)).count("sent") == 0
    assert len(server.handler.received) == 4

    alerts = check_alerts(store, now=MONDAY)
    assert alerts.ok
    stances = dict(zip(svc.interactions["interaction_id"], svc.interactions["stance"]))
    expected = {}
    for user, leader in (("markku@example.org", "Markku Nieminen"), ("emma@example.org", "Emma Clarke")):
        waiting = svc.waiting(store.leader(leader).id)
        due = waiting[(waiting["is_question"].astype(bool) | waiting["interaction_id"].map(stances).eq("critical"))
                      & (waiting["age_hours"] >= 24)]
        expected[user] = len(due)
    assert expected["markku@example.org"] > 0
    sent = [r.rcpt_tos[0] for r in server.handler.received[4:]]
    assert {u: sent.count(u) for u in expected} == expected
    assert check_alerts(store, now=MONDAY + timedelta(minutes=15)).count("sent") == 0


# ---------------------------------------------------------------------- pure pieces
def _exec_digest(**over) -> content.ExecutiveDigest:
    item = content.WaitingItem(leader="L", author="<b>Eve</b>", text="<script>alert(1)</script> why?",
                               url="javascript:alert(2)", age_hours=50, kind="reply", question=True,
                               conversation="x")
    base = dict(recipient="exec", leader="Liisa <Virtanen>", leader_id=1, week="2026-W50",
                scores=(content.Score("openness", 61.4, 3.2), content.Score("responsiveness", None, None),
                        content.Score("network", 40, -2.6), content.Score("consistency", 50, 0.1)),
                tips=(content.TipItem("Answer", "Do <it>", "https://bsky.app/x", "the post"),), waiting=(item,),
                waiting_total=7, goals=(content.GoalItem("response_rate", "at_risk", 0.5, 0.8, date(2027, 1, 1)),))
    base.update(over)
    return content.ExecutiveDigest(**base)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_rendering_escapes_and_links_only_http(lang):
    out = render.render_executive(_exec_digest(), lang, "https://dash.example.org/")
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html and "<b>Eve</b>" not in out.html
    assert "javascript:" not in out.html and "javascript:" not in out.text
    assert "https://dash.example.org/presence?leader=Liisa+%3CVirtanen%3E&amp;lang=" + lang in out.html
    assert "<img" not in out.html and "http://" not in out.html.replace("https://", "")
    assert "61" in out.text and "+3" in out.text and "−3" in out.text and "–" in out.text
    assert ("Yhteensä 7 odottaa" if lang == "fi" else "7 in all are waiting") in out.text
    assert ("vaarassa" if lang == "fi" else "at risk") in out.text
    without = render.render_executive(_exec_digest(), lang, "")
    assert "dash.example.org" not in without.html and "presence?" not in without.text


def test_content_picks_longest_waiting_and_three_tips_with_evidence():
    import pandas as pd

    waiting = pd.DataFrame({"interaction_id": ["a", "b", "c"], "leader": "L", "author": ["A", "B", "C"],
                            "text": ["x?", "y", "z"], "url": ["u1", "u2", "u3"], "age_hours": [5.0, 90.0, 30.0],
                            "kind": "reply", "is_question": [True, False, False]})
    items = content.waiting_items(waiting, stances={"c": "critical"}, limit=2)
    assert [i.conversation for i in items] == ["b", "c"] and items[1].critical
    due = content.alerts_due(waiting, {"c": "critical"}, 24)
    assert [i.conversation for i in due] == ["c"]  # b is neither a question nor critical; a is too young

    class E:
        def __init__(self, url, text):
            self.url, self.text = url, text

    class T:
        def __init__(self, n):
            self.title, self.action, self.evidence = f"t{n}", "do", (E(None, "no link"), E(f"https://e/{n}", "ev"))

    tips = content.tip_items([T(n) for n in range(5)])
    assert len(tips) == 3 and [t.evidence_url for t in tips] == ["https://e/0", "https://e/1", "https://e/2"]


def test_the_programme_clock():
    monday_morning = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)  # 07:30 in Helsinki
    assert iso_week(datetime(2027, 1, 3, 23, 0, tzinfo=UTC), HELSINKI) == "2027-W01"  # already Monday in Helsinki
    hours = BusinessHours.parse("mon-fri 08:00-18:00")
    assert not hours.contains(monday_morning, HELSINKI)
    assert hours.contains(monday_morning + timedelta(minutes=31), HELSINKI)
    assert not hours.contains(monday_morning + timedelta(days=5, hours=3), HELSINKI)  # Saturday
    assert BusinessHours.parse("fri-mon 9:00-17:00").days == frozenset({4, 5, 6, 0})
    for bad in ("weekdays", "mon-fri 18:00-08:00", "xyz 08:00-18:00"):
        with pytest.raises(ConfigError):
            BusinessHours.parse(bad)
    assert in_quiet_hours(datetime(2026, 12, 7, 21, 30, tzinfo=UTC), HELSINKI, "22:00", "07:00")  # 23:30
    assert not in_quiet_hours(datetime(2026, 12, 7, 10, 0, tzinfo=UTC), HELSINKI, "22:00", "07:00")
    assert digest_due(monday_morning, HELSINKI, 0) and not digest_due(monday_morning, HELSINKI, 2)
    assert parse_weekday("ke") == 2 and parse_weekday("Sunday") == 6
    with pytest.raises(InputError):
        parse_weekday("8")


def test_smtp_configuration_and_message():
    config = parse_config("smtps://me%40corp:s3cr%2Ft@mail.example.org", "Läsnä <l@example.org>")
    assert (config.port, config.username, config.password, config.starttls) == (465, "me@corp", "s3cr/t", False)
    assert "s3cr" not in config.display and "s3cr" not in redact("smtps://me:s3cr@mail.example.org")
    assert parse_config("smtp://mail.example.org", "l@example.org").starttls
    with pytest.raises(ConfigError):
        parse_config("smtp://mail.example.org?starttls=off", "l@example.org")  # clear text only on loopback
    assert not parse_config("smtp://127.0.0.1:25?starttls=off", "l@example.org").starttls
    for url, sender in (("", "l@example.org"), ("http://x", "l@example.org"), ("smtp://x", "nobody")):
        with pytest.raises(ConfigError):
            parse_config(url, sender)
    msg = build_message(sender="Läsnä <l@example.org>", reply_to=None, recipient="a@example.org", subject="Hei",
                        text="t", html="<p>h</p>", msg_id="<x@example.org>", lang="fi", kind="digest")
    assert msg["Content-Language"] == "fi" and msg["Message-ID"] == "<x@example.org>" and msg["Reply-To"] is None
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
