"""E-mail digests and alerts (issue #16) against a real SMTP server on loopback (aiosmtpd, STARTTLS on a
self-signed certificate, AUTH), with the outbox on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from lasna import users as users_mod
from lasna.cli import main
from lasna.notify import check_alerts, delivery_status, get_preferences, send_digests, set_preferences
from lasna.notify import jobs
from lasna.notify.smtp import message_id
from lasna.store import Store
from lasna.store import notify as outbox
from lasna.types import Platform, Post

from notify_seed import LEADERS, NOW, WEEK, seed
from smtp_server import SmtpServer, free_port

REPO = Path(__file__).resolve().parents[1]
SENDER = "Läsnä <lasna@example.org>"
DASHBOARD = "https://lasna.example.org"


def _configure(monkeypatch, smtp_url: str, ca_file: str) -> None:
    monkeypatch.setenv("LASNA_SMTP_URL", smtp_url)
    monkeypatch.setenv("LASNA_SMTP_SENDER", SENDER)
    monkeypatch.setenv("LASNA_SMTP_REPLY_TO", "valmentaja@example.org")
    monkeypatch.setenv("LASNA_SMTP_CA_FILE", ca_file)
    monkeypatch.setenv("LASNA_DASHBOARD_URL", DASHBOARD)


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    server = SmtpServer(tmp_path).start()
    _configure(monkeypatch, server.url, server.ca_file)
    yield server
    server.stop()


@pytest.fixture
def seeded(store):
    seed(store)
    return store


def _parts(msg) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in msg.walk() if not part.is_multipart()}


def _states(store: Store) -> dict[str, str]:
    frame = outbox.messages(store)
    return dict(zip(frame["key"], frame["state"]))


def _key(store: Store, name: str, kind: str = "digest", period: str = WEEK) -> str:
    return f"{kind}:{users_mod.get_user(store, name).id}:{period}"


# ---------------------------------------------------------------------- digests
def test_digests_arrive_once_per_role_and_language(seeded, smtp):
    result = send_digests(seeded, now=NOW)
    assert result.ok, result.to_dict()
    got = smtp.handler
    assert all(got.tls_seen), "every message went over STARTTLS"
    aino, ben, carla, conny = (got.to(f"{n}@example.org") for n in ("aino", "ben", "carla", "conny"))
    assert [len(x) for x in (aino, ben, carla, conny)] == [1, 1, 1, 1]
    # the admin has no e-mail: skipped with a note, nothing sent
    assert any(n.user == "ada" and n.status == "skipped" and "e-mail" in n.detail for n in result.notes)
    assert len(got.received) == 4

    fi = aino[0]
    assert fi["Content-Language"] == "fi" and fi["Subject"].startswith("Läsnä-viikkokatsaus 2026-W50: Aino Aalto")
    assert fi["Message-ID"] == message_id(_key(seeded, "aino"), SENDER)
    assert fi["Reply-To"] == "valmentaja@example.org" and "lasna@example.org" in fi["From"]
    parts = _parts(fi)
    assert set(parts) == {"text/plain", "text/html"}
    text, html = parts["text/plain"], parts["text/html"]
    for needle in ("Pisteet", "Avoimuus", "Vastaavuus", "Verkosto", "Säännöllisyys", "Odottavat vastausta",
                   "AINO-SALAISUUS", "Tavoitteet"):
        assert needle in text and needle in html, needle
    assert "https://bsky.app/profile/asker.example.com/post/ainoq" in html  # a link to the conversation
    assert f"{DASHBOARD}/presence?leader=Aino+Aalto&amp;lang=fi" in html  # where the numbers come from
    assert "<img" not in html and "<script" not in html.lower()
    assert len(fi.as_bytes()) < 60_000

    en = ben[0]
    assert en["Content-Language"] == "en" and en["Subject"].startswith("Läsnä weekly digest 2026-W50: Ben Brown")
    assert "Scores (0–100)" in _parts(en)["text/plain"] and "BEN-SECRET" in _parts(en)["text/plain"]

    cons = _parts(conny[0])
    assert conny[0]["Subject"] == "Läsnä-viikkokatsaus 2026-W50: 2 johtajaa"
    for needle in ("Aino Aalto", "Ben Brown", "Tulevat sparraukset", "2026-12-09", "Vastaa kysymyksiin saman päivän"):
        assert needle in cons["text/html"] and needle in cons["text/plain"], needle
    assert "Carla" not in cons["text/html"] + cons["text/plain"]  # not assigned to conny
    assert f"{DASHBOARD}/sparring?leader=Ben+Brown&amp;lang=fi" in cons["text/html"]

    # a rerun composes nothing and sends nothing
    again = send_digests(seeded, now=NOW + timedelta(hours=3))
    assert again.count("sent") == 0 and again.count("composed") == 0 and again.ok
    assert len(got.received) == 4
    assert set(_states(seeded).values()) == {"sent"}


def test_an_executive_never_receives_another_leaders_data(seeded, smtp):
    send_digests(seeded, now=NOW)
    for user, (_, leader, email) in {"aino": ("", "Aino Aalto", "aino@example.org"),
                                     "ben": ("", "Ben Brown", "ben@example.org"),
                                     "carla": ("", "Carla Cruz", "carla@example.org")}.items():
        (msg,) = smtp.handler.to(email)
        body = msg.as_string() + "".join(_parts(msg).values())
        for other, (_, _, handle, secret) in LEADERS.items():
            if other == leader:
                assert secret.split()[2] in "".join(_parts(msg).values())
                continue
            assert other not in body and secret.split()[2] not in body and f"{handle}.example.com" not in body, (user, other)


def test_digest_weekday_and_preferences(seeded, smtp):
    set_preferences(seeded, "ben", weekday="wed", lang="fi")
    set_preferences(seeded, "carla", digest="off")
    monday = send_digests(seeded, now=NOW)
    statuses = {n.user: (n.status, n.detail) for n in monday.notes}
    assert statuses["ben"] == ("skipped", "due on wed") and statuses["carla"] == ("skipped", "digest off")
    assert not smtp.handler.to("ben@example.org") and not smtp.handler.to("carla@example.org")
    wednesday = send_digests(seeded, now=NOW + timedelta(days=2))
    assert [n.user for n in wednesday.notes if n.status == "sent"] == ["ben"]
    (msg,) = smtp.handler.to("ben@example.org")
    assert msg["Content-Language"] == "fi" and "Pisteet" in _parts(msg)["text/plain"]  # their language choice
    # --user sends whatever the weekday, still once a week
    assert send_digests(seeded, users=["ben"], now=NOW + timedelta(days=3)).count("sent") == 0


def test_server_down_loses_nothing_and_sends_on_the_next_run(seeded, tmp_path, monkeypatch):
    port = free_port()
    server = SmtpServer(tmp_path, port=port)
    _configure(monkeypatch, server.url, server.ca_file)
    down = send_digests(seeded, now=NOW)
    assert not down.ok and down.count("failed") == 4 and down.count("sent") == 0
    assert "cannot reach" in next(n.detail for n in down.notes if n.status == "failed")
    states = _states(seeded)
    assert len(states) == 4 and set(states.values()) == {"failed"}
    status = delivery_status(seeded)
    assert set(status["user"]) == {"aino", "ben", "carla", "conny"} and (status["failed"] == 1).all()
    assert status["last_error"].str.contains("cannot reach").all()
    with server:
        early = send_digests(seeded, now=NOW + timedelta(minutes=1))  # backoff not over: nothing tried
        assert early.count("sent") == 0 and not server.handler.received
        later = send_digests(seeded, now=NOW + jobs.backoff(1) + timedelta(seconds=1))
        assert later.ok and later.count("sent") == 4
        rerun = send_digests(seeded, now=NOW + timedelta(hours=2))
        assert rerun.count("sent") == 0
        assert sorted(r.rcpt_tos[0] for r in server.handler.received) == [
            "aino@example.org", "ben@example.org", "carla@example.org", "conny@example.org"]
    assert set(_states(seeded).values()) == {"sent"}
    status = delivery_status(seeded)
    assert (status["sent"] == 1).all() and (status["failed"] == 0).all()


def test_a_rejected_address_is_retried_with_backoff_then_given_up(seeded, smtp):
    smtp.handler.refuse.add("ben@example.org")
    first = send_digests(seeded, now=NOW)
    assert first.count("sent") == 3 and first.count("failed") == 1
    failed = next(n for n in first.notes if n.status == "failed")
    assert failed.user == "ben" and "550" in failed.detail
    row = outbox.messages(seeded, keys=[_key(seeded, "ben")]).iloc[0]
    assert row["attempts"] == 1 and row["next_attempt_at"] == NOW + jobs.backoff(1)
    when = NOW
    for attempt in range(2, jobs.MAX_ATTEMPTS + 1):
        when = when + jobs.backoff(attempt - 1) + timedelta(seconds=1)
        result = send_digests(seeded, now=when)
        assert result.count("failed" if attempt < jobs.MAX_ATTEMPTS else "dead") == 1
    assert _states(seeded)[_key(seeded, "ben")] == "dead"
    assert send_digests(seeded, now=when + timedelta(hours=13)).count("dead") == 0  # given up: no more tries
    assert len(smtp.handler.received) == 3


def test_dry_run_writes_and_sends_nothing(seeded, smtp):
    result = send_digests(seeded, now=NOW, dry_run=True)
    assert result.count("would-send") == 4 and not smtp.handler.received
    assert outbox.messages(seeded).empty


def test_forgetting_a_leader_deletes_the_messages_holding_their_data(seeded, smtp):
    send_digests(seeded, now=NOW)
    ben = seeded.leader("Ben Brown").id
    deleted = seeded.forget_leader(ben)
    assert deleted["notify_outbox"] == 2  # ben's own digest and the consultant's table with him
    left = set(outbox.messages(seeded)["user"])
    assert left == {"aino", "carla"}


# ---------------------------------------------------------------------- alerts
def test_alerts_once_per_waiting_question_past_the_threshold(seeded, smtp):
    result = check_alerts(seeded, now=NOW)
    assert result.ok, result.to_dict()
    sent = sorted(r.rcpt_tos[0] for r in smtp.handler.received)
    # each executive's 30-hour question; the 2-hour comment and the answered replies give none
    assert sent == ["aino@example.org", "ben@example.org", "carla@example.org"]
    (fi,) = smtp.handler.to("aino@example.org")
    parts = _parts(fi)
    assert fi["Content-Language"] == "fi" and "Asker 0" in fi["Subject"] and "30 h" in fi["Subject"]
    assert "AINO-SALAISUUS" in parts["text/plain"] and "AINO-SALAISUUS" in parts["text/html"]
    assert "BEN-SECRET" not in parts["text/html"]
    (en,) = smtp.handler.to("ben@example.org")
    assert "has waited 30 h" in en["Subject"] and "asked Ben Brown a question" in _parts(en)["text/plain"]
    assert fi["Message-ID"] == message_id(f"alert:{users_mod.get_user(seeded, 'aino').id}:at://asker/aino/q", SENDER)
    # at most one per conversation: later checks send nothing more for it
    assert check_alerts(seeded, now=NOW + timedelta(minutes=15)).count("sent") == 0
    # the fresh reply asks something too; by the next day it has waited 26 h: one alert each, once
    next_day = check_alerts(seeded, now=NOW + timedelta(hours=24))
    assert sorted(n.key.split(":", 2)[2] for n in next_day.notes if n.status == "sent") == [
        "at://fresh/aino/c", "at://fresh/ben/c", "at://fresh/carla/c"]
    assert len(smtp.handler.received) == 6
    assert check_alerts(seeded, now=NOW + timedelta(hours=25)).count("sent") == 0


def test_alerts_respect_threshold_business_and_quiet_hours(seeded, smtp, monkeypatch):
    set_preferences(seeded, "aino", threshold=48)
    set_preferences(seeded, "ben", quiet="09:30-10:30")  # NOW is 10:00 in Helsinki
    set_preferences(seeded, "carla", alerts="off")
    result = check_alerts(seeded, now=NOW)
    assert result.count("sent") == 0, result.to_dict()
    assert any(n.user == "ben" and "quiet" in n.detail for n in result.notes)
    saturday = NOW + timedelta(days=5)
    set_preferences(seeded, "aino", threshold=24)
    assert check_alerts(seeded, now=saturday).count("sent") == 0  # outside business hours (mon-fri)
    monkeypatch.setenv("LASNA_NOTIFY_BUSINESS_HOURS", "all 00:00-24:00")
    assert check_alerts(seeded, now=NOW).count("sent") == 1  # aino only: ben is in quiet hours, carla off
    assert [r.rcpt_tos[0] for r in smtp.handler.received] == ["aino@example.org"]


def test_an_alert_answered_before_it_could_be_sent_is_cancelled(seeded, tmp_path, monkeypatch):
    server = SmtpServer(tmp_path)  # not started: the server is down
    _configure(monkeypatch, server.url, server.ca_file)
    assert check_alerts(seeded, now=NOW).count("failed") == 3
    # Aino answers the question; the mail server comes back
    aino = seeded.leader("Aino Aalto")
    account = seeded.accounts(leader_id=aino.id)[0]
    answer_at = NOW + timedelta(minutes=5)
    seeded.save_batch(account, posts=[Post(id="at://aino/answer/q", platform=Platform.BLUESKY,
                                           author_id=account.stable_id, created_at=answer_at, indexed_at=answer_at,
                                           text="Ensi viikolla!", reply_parent_id="at://asker/aino/q")])
    with server:
        result = check_alerts(seeded, now=NOW + timedelta(minutes=10))
        assert [n.user for n in result.notes if n.status == "cancelled"] == ["aino"]
        assert sorted(r.rcpt_tos[0] for r in server.handler.received) == ["ben@example.org", "carla@example.org"]


# ---------------------------------------------------------------------- kill -9 during a send
def _cli(db_url: str, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "lasna.cli", "--database", db_url, *args],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_kill_9_during_a_send_and_rerun_gives_everyone_exactly_one_digest(seeded, db_url, smtp):
    env = {**os.environ}
    smtp.handler.stall_on = "ben@example.org"  # the second message: hold the client at RCPT TO
    first = _cli(db_url, env, "digest", "send", "--now", NOW.isoformat())
    try:
        assert smtp.handler.stalled.wait(180), first.communicate(timeout=5)
        first.send_signal(signal.SIGKILL)  # kill -9 in the middle of the SMTP transaction
        first.wait(30)
    finally:
        smtp.handler.release.set()
    assert first.returncode == -signal.SIGKILL
    states = _states(seeded)
    assert states[_key(seeded, "aino")] == "sent" and states[_key(seeded, "ben")] == "sending"
    assert states[_key(seeded, "carla")] == states[_key(seeded, "conny")] == "pending"
    smtp.handler.stall_on = None
    time.sleep(0.1)
    rerun = _cli(db_url, env, "digest", "send", "--json", "--now", (NOW + timedelta(minutes=2)).isoformat())
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    report = json.loads(out)
    assert report["sent"] == 3 and report["composed"] == 0
    counts = {a: len(smtp.handler.to(a)) for a in ("aino@example.org", "ben@example.org", "carla@example.org",
                                                    "conny@example.org")}
    assert counts == dict.fromkeys(counts, 1)
    (ben,) = smtp.handler.to("ben@example.org")
    assert ben["Message-ID"] == message_id(_key(seeded, "ben"), SENDER)
    assert set(_states(seeded).values()) == {"sent"}
    again = _cli(db_url, env, "digest", "send", "--json", "--now", (NOW + timedelta(minutes=4)).isoformat())
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0 and json.loads(out)["sent"] == 0
    assert len(smtp.handler.received) == 4


# ---------------------------------------------------------------------- CLI
def _main(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_users_notify_and_errors(sqlite_store, monkeypatch, capsys):
    seed(sqlite_store)
    url = str(sqlite_store.engine.url)
    code, out, err = _main(capsys, "--database", url, "users", "notify", "ben", "--digest", "off", "--weekday", "fri",
                           "--alerts", "on", "--threshold", "12", "--lang", "fi", "--quiet", "22:00-07:00", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["digest"] is False and shown["digest_weekday"] == "fri" and shown["threshold_hours"] == 12
    assert (shown["quiet_start"], shown["quiet_end"]) == ("22:00", "07:00")
    stored = get_preferences(sqlite_store, users_mod.get_user(sqlite_store, "ben").id)
    assert stored.lang == "fi" and stored.alerts is True
    for bad in (["--lang", "sv"], ["--threshold", "0"], ["--weekday", "someday"], ["--digest", "maybe"],
                ["--quiet", "25:00-07:00"]):
        code, out, err = _main(capsys, "--database", url, "users", "notify", "ben", "--digest", "on", *bad)
        assert code == 2 and err.startswith("error:") and "Traceback" not in err, (bad, err)
    assert get_preferences(sqlite_store, users_mod.get_user(sqlite_store, "ben").id) == stored  # nothing written
    assert _main(capsys, "--database", url, "users", "notify", "nobody")[0] == 2
    # no mail server configured: exit 2, nothing composed
    monkeypatch.delenv("LASNA_SMTP_URL", raising=False)
    code, _, err = _main(capsys, "--database", url, "digest", "send", "--now", NOW.isoformat())
    assert code == 2 and "smtp_url" in err and outbox.messages(sqlite_store).empty
    monkeypatch.setenv("LASNA_SMTP_URL", "http://mailer:hunter2secret@mail.example.org")
    monkeypatch.setenv("LASNA_SMTP_SENDER", SENDER)
    code, _, err = _main(capsys, "--database", url, "alerts", "check", "--now", NOW.isoformat())
    assert code == 2 and "hunter2secret" not in err and outbox.messages(sqlite_store).empty
    assert _main(capsys, "--database", url, "digest", "send", "--user", "nobody")[0] == 2
    assert _main(capsys, "--database", url, "digest", "send", "--now", "next monday")[0] == 2


def test_cli_dry_run_json(sqlite_store, capsys):
    seed(sqlite_store)
    code, out, err = _main(capsys, "--database", str(sqlite_store.engine.url), "digest", "send", "--dry-run",
                           "--json", "--now", NOW.isoformat())
    assert code == 0, err
    report = json.loads(out)
    assert report["would-send"] == 4 and report["skipped"] == 1 and report["sent"] == 0
    assert outbox.messages(sqlite_store).empty


# ---------------------------------------------------------------------- outbox bookkeeping
def test_a_message_is_claimed_by_one_run_only_and_removed_with_its_user(seeded, smtp):
    result = send_digests(seeded, now=NOW, dry_run=True)
    assert result.count("would-send") == 4
    user = users_mod.get_user(seeded, "aino")
    message = {"key": "digest:x", "kind": "digest", "user_id": user.id, "period": WEEK, "recipient": user.email,
               "lang": "fi", "subject": "s", "body_text": "t", "body_html": "h", "message_id": "<m@x>"}
    assert outbox.add_message(seeded, message, [user.leader_id], now=NOW)
    assert not outbox.add_message(seeded, {**message, "subject": "other"}, [user.leader_id], now=NOW)  # once
    (row,) = outbox.due_messages(seeded, NOW)
    assert outbox.claim(seeded, row, "host:1", NOW + jobs.LEASE)
    assert not outbox.claim(seeded, row, "host:2", NOW + jobs.LEASE)  # a second run read the same row: refused
    assert outbox.due_messages(seeded, NOW) == []  # leased
    assert [r["key"] for r in outbox.due_messages(seeded, NOW + jobs.LEASE)] == ["digest:x"]  # lease over
    set_preferences(seeded, "aino", lang="en")
    users_mod.remove_user(seeded, "aino")
    assert outbox.messages(seeded).empty and outbox.preferences(seeded) == {}


def test_retention_deletes_old_messages(seeded, smtp):
    send_digests(seeded, now=NOW)
    assert seeded.apply_retention(30, now=NOW + timedelta(days=29))["notify_outbox"] == 0
    assert seeded.apply_retention(30, now=NOW + timedelta(days=31))["notify_outbox"] == 4
    assert outbox.messages(seeded).empty


def test_one_recipients_composing_error_does_not_stop_the_others(seeded, smtp, monkeypatch):
    real = jobs.executive_digest

    def broken(svc, user, leader_id, lang, week):
        if user.name == "ben":
            raise ValueError("bad data")
        return real(svc, user, leader_id, lang, week)

    monkeypatch.setattr(jobs, "executive_digest", broken)
    result = send_digests(seeded, now=NOW)
    assert not result.ok and result.count("sent") == 3
    assert [n.user for n in result.notes if n.status == "failed"] == ["ben"]
    monkeypatch.setattr(jobs, "executive_digest", real)
    assert send_digests(seeded, now=NOW + timedelta(hours=1)).count("sent") == 1  # composed and sent later
