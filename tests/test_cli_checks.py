"""CLI input checks and output from issue #15: one-line errors (exit 2) for nonsense, warnings where
something would silently do nothing, `lasna posts` with features and repost targets, dates shown as the
days they are, and progress bars on stderr only."""

from __future__ import annotations

import io
import json

import pytest

from lasna.cli import main
from lasna.store import Store
from tests.coach_fixtures import demo_url


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_score_days_zero_is_an_error(capsys):
    line = one_line_error(*run(capsys, "score", "--days", "0")[::2])
    assert "--days must be a positive number" in line
    line = one_line_error(*run(capsys, "posts", "--leader", "X", "--days", "-3")[::2])
    assert "--days" in line


@pytest.fixture
def wide(monkeypatch):
    from lasna.cli import common

    monkeypatch.setattr(common.console(), "width", 250)


def test_score_until_prints_the_day_it_was_given(capsys, wide):
    code, out, err = run(capsys, "--database", demo_url(), "score", "--until", "2026-11-20", "--days", "14",
                         "--leader", "Markku Nieminen")
    assert code == 0, err
    assert "2026-11-20" in out and "2026-11-21" not in out
    assert "2026-11-07 – 2026-11-20" in out  # 14 days, both ends inclusive
    code, out, _ = run(capsys, "--database", demo_url(), "score", "--until", "2026-11-20", "--days", "14", "--json")
    period = json.loads(out)["leaders"][0]["periods"][0]
    assert period["end"] > "2026-11-20T2"  # the window itself ends with the last second of the day


def test_leader_without_accounts_warns(capsys):
    code, out, err = run(capsys, "leaders", "add", "Z")
    assert code == 0 and "Added Z with 0 account(s)" in out
    assert "warning" in err and "no accounts" in err and "--bluesky" in err
    code, _, err = run(capsys, "leaders", "add", "Y", "--bluesky", "y.bsky.social")
    assert code == 0 and "warning" not in err


def test_private_feed_addresses_are_refused_unless_allowed(capsys, monkeypatch):
    for url in ("http://localhost/feed", "http://127.0.0.1:8080/rss", "http://192.168.1.10/feed", "http://[::1]/feed",
                "http://intranet.local/feed"):
        line = one_line_error(*run(capsys, "leaders", "add", "Local", "--feed", url)[::2])
        assert "allow_private_urls" in line and "LASNA_ALLOW_PRIVATE_URLS" in line
    assert Store.open().leaders(include_inactive=True) == []
    monkeypatch.setenv("LASNA_ALLOW_PRIVATE_URLS", "1")
    code, out, err = run(capsys, "leaders", "add", "Local", "--feed", "http://localhost/feed")
    assert code == 0, err


def test_bluesky_hint_only_suggests_a_real_handle(capsys):
    line = one_line_error(*run(capsys, "leaders", "add", "H", "--bluesky", "not a handle!!")[::2])
    assert ".bsky.social" in line and "not a handle!!.bsky.social" not in line and "name.bsky.social" in line
    line = one_line_error(*run(capsys, "leaders", "add", "H", "--bluesky", "liisa")[::2])
    assert "liisa.bsky.social" in line


def test_goals_add_checks_the_target_in_the_metrics_unit(capsys):
    assert run(capsys, "leaders", "add", "G", "--bluesky", "g.bsky.social")[0] == 0
    line = one_line_error(*run(capsys, "goals", "add", "--leader", "G", "--metric", "response_rate", "--target", "800",
                               "--deadline", "2030-01-01")[::2])
    assert "0–100 %" in line
    line = one_line_error(*run(capsys, "goals", "add", "--leader", "G", "--metric", "openness", "--target", "0,6",
                               "--deadline", "2030-01-01")[::2])
    assert "1–100" in line
    line = one_line_error(*run(capsys, "goals", "add", "--leader", "G", "--metric", "tenure_days", "--target", "5",
                               "--deadline", "2030-01-01")[::2])
    assert "no goal can be set" in line
    assert Store.open().goals(Store.open().leader("G").id) == []
    code, out, err = run(capsys, "goals", "add", "--leader", "G", "--metric", "response_rate", "--target", "0,8",
                         "--deadline", "2030-01-01")
    assert code == 0, err
    assert "80%" in out
    (goal,) = Store.open().goals(Store.open().leader("G").id)
    assert goal.target == pytest.approx(0.8)


def test_posts_shows_features_and_what_a_repost_points_to(capsys, wide):
    code, out, err = run(capsys, "--database", demo_url(), "posts", "--leader", "Liisa Virtanen", "--days", "3650")
    assert code == 0, err
    assert "Features" in out and "words" in out
    assert "↻ repost of https://bsky.app/profile/did:plc:" in out
    assert any(tag in out for tag in ("question", "dialogue", "credit", "link"))


def test_progress_bars_go_to_stderr_only_on_a_terminal(monkeypatch):
    from rich.console import Console

    from lasna.cli import common

    buf = io.StringIO()
    monkeypatch.setattr(common, "err_console", lambda: Console(file=buf, force_terminal=True, width=100))
    with common.progress("Scoring", total=2) as step:
        step()
        step()
    assert "Scoring" in buf.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(common, "err_console", lambda: Console(file=quiet, force_terminal=False))
    with common.progress("Scoring") as step:
        step()
    assert quiet.getvalue() == ""
