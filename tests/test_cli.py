"""The `lasna` command line: help everywhere, one-line errors with exit code 2, registry commands."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
import typer.main

from lasna.cli import app, main
from lasna.store import Store


def all_command_paths(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        yield path
        if getattr(command, "commands", None):  # a group (typer may vendor its own click)
            yield from all_command_paths(command, path)


COMMANDS = sorted(all_command_paths(typer.main.get_command(app)))


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_top_level_help_lists_the_core_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("leaders", "demo", "dashboard", "db"):
        assert command in out


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_every_command_has_help_text(capsys, path):
    code, out, _ = run(capsys, *path, "--help")
    assert code == 0
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    assert command.help or command.short_help, f"lasna {' '.join(path)} has no help text"
    assert "Usage" in out


def test_every_command_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for path in COMMANDS:
        if len(path) == 1 and path[0] in {"leaders", "db", "import", "users"}:
            continue  # groups: their subcommands are listed
        assert f"lasna {' '.join(path)}" in readme, f"README does not mention `lasna {' '.join(path)}`"


def test_leaders_add_list_and_remove(capsys):
    code, out, err = run(capsys, "leaders", "add", "Liisa Virtanen", "--bluesky", "@Liisa.bsky.social",
                         "--mastodon", "https://mastodontti.fi/@liisa", "--feed", "https://liisa.example.fi/feed",
                         "--cohort", "Julkisjohtajat", "--language", "fi")
    assert code == 0, err
    assert "3 account(s)" in out
    code, out, _ = run(capsys, "leaders", "list", "--json")
    rows = json.loads(out)
    assert rows[0]["name"] == "Liisa Virtanen" and rows[0]["cohorts"] == ["Julkisjohtajat"]
    assert {(a["platform"], a["handle"]) for a in rows[0]["accounts"]} == {
        ("bluesky", "liisa.bsky.social"),
        ("mastodon", "liisa@mastodontti.fi"),
        ("feed", "https://liisa.example.fi/feed"),
    }
    code, out, _ = run(capsys, "leaders", "remove", "Liisa Virtanen")
    assert code == 0 and "history kept" in out
    assert json.loads(run(capsys, "leaders", "list", "--json")[1]) == []
    assert len(json.loads(run(capsys, "leaders", "list", "--json", "--all")[1])) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bluesky", "liisa"], "did you forget `.bsky.social`"),
        (["--bluesky", "did:plc:short"], "malformed Bluesky DID"),
        (["--mastodon", "liisa"], "malformed Mastodon address"),
        (["--feed", "ftp://example.fi/feed"], "must start with http"),
        (["--language", "sv"], "unsupported language"),
    ],
)
def test_bad_input_gives_one_line_error_exit_2_and_writes_nothing(capsys, args, message):
    code, out, err = run(capsys, "leaders", "add", "Bad Input", *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert Store.open().leaders(include_inactive=True) == []


def test_duplicate_name_is_an_error(capsys):
    assert run(capsys, "leaders", "add", "Same", "--bluesky", "same.bsky.social")[0] == 0
    code, _, err = run(capsys, "leaders", "add", "Same")
    assert code == 2 and "already exists" in err


def test_unknown_leader_is_an_error(capsys):
    code, _, err = run(capsys, "leaders", "remove", "Nobody")
    assert code == 2 and "no leader named 'Nobody'" in err


def test_forget_deletes_the_leaders_data(capsys):
    run(capsys, "demo", "--no-serve")
    store = Store.open()
    leader = store.leader("Liisa Virtanen")
    assert len(store.posts_frame([leader.id])) > 100
    code, out, _ = run(capsys, "leaders", "remove", "Liisa Virtanen", "--forget")
    assert code == 0 and "Forgot Liisa Virtanen" in out
    assert len(store.posts_frame([leader.id])) == 0
    assert "Liisa Virtanen" not in {l.name for l in store.leaders(include_inactive=True)}


ROSTER = """
[[cohort]]
name = "Julkisjohtajat 2026"
visibility = "all"

[[leader]]
name = "Aino Korhonen"
language = "fi"
cohorts = ["Julkisjohtajat 2026"]
bluesky = "aino.bsky.social"
feeds = ["https://aino.example.fi/feed.xml"]

[[leader]]
name = "Emma Clarke"
language = "en"
cohorts = ["Julkisjohtajat 2026"]
mastodon = "@emma@mastodon.social"
"""


def test_roster_import_creates_leaders_and_is_repeatable(capsys, tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text(ROSTER, encoding="utf-8")
    assert run(capsys, "leaders", "import", str(roster))[0] == 0
    assert run(capsys, "leaders", "import", str(roster))[0] == 0
    store = Store.open()
    assert [l.name for l in store.leaders()] == ["Aino Korhonen", "Emma Clarke"]
    assert len(store.accounts()) == 3
    assert store.cohorts()[0].visibility.value == "all"


def test_roster_with_one_bad_entry_writes_nothing(capsys, tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text(ROSTER + '\n[[leader]]\nname = "Broken"\nbluesky = "broken"\n', encoding="utf-8")
    code, _, err = run(capsys, "leaders", "import", str(roster))
    assert code == 2 and "leader #3 (Broken)" in err
    assert Store.open().leaders(include_inactive=True) == []


def test_invalid_toml_is_a_clear_error(capsys, tmp_path):
    roster = tmp_path / "roster.toml"
    roster.write_text("[[leader]\nname=", encoding="utf-8")
    code, _, err = run(capsys, "leaders", "import", str(roster))
    assert code == 2 and "not valid TOML" in err


def test_bad_database_url_is_a_config_error(capsys, monkeypatch):
    monkeypatch.setenv("LASNA_DATABASE_URL", "mysql://x@y/z")
    code, _, err = run(capsys, "leaders", "list")
    assert code == 2 and "unsupported database" in err


def test_db_status_reports_revision_and_counts(capsys):
    run(capsys, "db", "upgrade")
    code, out, _ = run(capsys, "db", "status", "--json")
    info = json.loads(out)
    assert code == 0 and info["revision"] == info["head"] and info["rows"]["leaders"] == 0


def test_console_script_runs_as_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "lasna.cli", "leaders", "add", "X", "--bluesky", "x"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: malformed Bluesky handle")
