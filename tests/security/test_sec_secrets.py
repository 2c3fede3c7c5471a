"""Item 14: `lasna settings` and every output and log mask secrets (the password in a database URL,
any future smtp_url); settings declare ``secret=True`` in the registry."""

from __future__ import annotations

import json
import logging

import pytest

from lasna import settings
from lasna.cli import main

PASSWORD = "Hyvin-Salainen-9000"
URL = f"postgresql+psycopg://lasna:{PASSWORD}@db.internal:5432/lasna"


def test_database_url_is_a_secret_setting():
    assert settings.SETTINGS["database_url"].secret is True
    assert settings.SETTINGS["language"].secret is False


@pytest.mark.parametrize("as_json", [False, True])
def test_settings_command_masks_the_password(monkeypatch, capsys, as_json):
    monkeypatch.setenv("LASNA_DATABASE_URL", URL)
    assert main(["settings", *(["--json"] if as_json else [])]) == 0
    out = capsys.readouterr().out
    assert PASSWORD not in out
    assert "db.internal" in out  # the rest of the URL is still shown
    if as_json:
        row = next(r for r in json.loads(out) if r["name"] == "database_url")
        assert row["value"] == "postgresql+psycopg://lasna:***@db.internal:5432/lasna" and row["secret"] is True


@pytest.mark.parametrize(
    "raw, shown",
    [
        (URL, "postgresql+psycopg://lasna:***@db.internal:5432/lasna"),
        ("smtp://mailer:pw%40x@smtp.example.fi:587", "smtp://mailer:***@smtp.example.fi:587"),
        ("could not connect to postgresql://u:p@h/db: refused", "could not connect to postgresql://u:***@h/db: refused"),
        ("https://example.fi/feed?token=abc&x=1", "https://example.fi/feed?token=***&x=1"),
        ("https://user@example.fi/x", "https://user@example.fi/x"),
        ("no url here", "no url here"),
    ],
)
def test_mask_text(raw, shown):
    assert settings.mask_text(raw) == shown


def test_a_future_secret_setting_is_masked_whole_when_not_a_url(monkeypatch):
    monkeypatch.setitem(settings.SETTINGS, "api_token", settings.Setting("api_token", "", "a token", secret=True))
    monkeypatch.setenv("LASNA_API_TOKEN", "tok-123456")
    row = next(r for r in settings.describe() if r["name"] == "api_token")
    assert row["value"] == "***"


def test_a_bad_database_url_error_does_not_echo_the_password(monkeypatch, capsys):
    monkeypatch.setenv("LASNA_DATABASE_URL", f"notadb://lasna:{PASSWORD}@@:x")
    code = main(["db", "status"])
    err = capsys.readouterr().err
    assert code == 2 and PASSWORD not in err and "error:" in err


def test_unreachable_database_error_does_not_echo_the_password(monkeypatch, capsys):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LASNA_DATABASE_URL", f"postgresql+psycopg://lasna:{PASSWORD}@127.0.0.1:{port}/x")
    code = main(["leaders", "list"])
    captured = capsys.readouterr()
    assert code == 3 and PASSWORD not in captured.err + captured.out
    assert len([x for x in captured.err.splitlines() if x.strip()]) == 1


def test_log_records_are_masked():
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(settings.SecretFilter())
    log = logging.getLogger("lasna.test.secrets")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        log.warning("cannot reach %s (attempt %d)", URL, 2)
    finally:
        log.removeHandler(handler)
    assert records and PASSWORD not in records[0] and "lasna:***@db.internal" in records[0]


def test_process_wide_masking_covers_any_handler():
    settings.install_secret_masking()
    settings.install_secret_masking()  # idempotent
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()  # no filter on this handler: the record itself is masked
    log = logging.getLogger("lasna.test.secrets.global")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        log.error("engine %s failed", URL)
    finally:
        log.removeHandler(handler)
    assert PASSWORD not in records[0] and "***" in records[0]
