"""JSONL import: schema, line-numbered errors, all-or-nothing unless --skip-invalid, CLI."""

from __future__ import annotations

import json

import pytest

from collectors.imports import import_jsonl
from collectors.imports.common import InvalidRows
from lasna.cli import main
from lasna.types import Platform
from tests.sources_helpers import store  # noqa: F401

GOOD = [
    {"type": "post", "id": "p1", "created_at": "2025-11-03T08:00:00+02:00", "text": "Mitä kysyttävää teillä on uudesta strategiasta?",
     "url": "https://intra.example/p1", "reply_count": 1, "tags": ["strategia"]},
    {"type": "interaction", "id": "c1", "created_at": "2025-11-03T09:00:00Z", "text": "Miten tämä vaikuttaa meidän tiimiin?",
     "author_id": "u:matti", "author_handle": "matti", "author_name": "Matti", "kind": "comment", "parent_id": "p1"},
    {"id": "p2", "created_at": "2025-11-03T09:30:00", "text": "Hyvä kysymys Matti, ei muutoksia tiimiinne.",
     "reply_to_id": "c1", "reply_to_author": "u:matti"},
    {"id": "https://social.example/@liisa/99", "created_at": "2025-11-04T10:00:00Z", "text": "Absolute ids stay as they are", "lang": "en"},
]


def write(path, objs, extra_lines=()):
    lines = [json.dumps(o, ensure_ascii=False) for o in objs] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_file_imports_posts_and_interactions(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    report = import_jsonl(store, write(tmp_path / "a.jsonl", GOOD), "Liisa")
    assert (report.new_posts, report.new_interactions, report.errors) == (3, 1, [])
    posts = store.posts_frame().set_index("post_id")
    assert set(posts.index) == {"jsonl:import:p1", "jsonl:import:p2", "https://social.example/@liisa/99"}
    reply = posts.loc["jsonl:import:p2"]
    assert reply.reply_parent_id == "jsonl:import:c1" and reply.reply_parent_author_id == "u:matti"
    assert reply.created_at.isoformat().startswith("2025-11-03T09:30:00")  # no offset = UTC
    inter = store.interactions_frame().iloc[0]
    assert inter.interaction_id == "jsonl:import:c1" and inter.parent_id == "jsonl:import:p1" and inter.kind == "comment"
    assert posts.loc["jsonl:import:p1"].lang == "fi"
    assert store.accounts(platform=Platform.JSONL)[0].handle == "import"


def test_reimport_is_idempotent(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    path = write(tmp_path / "a.jsonl", GOOD)
    import_jsonl(store, path, "Liisa")
    again = import_jsonl(store, path, "Liisa")
    assert (again.new_posts, again.new_interactions, again.posts) == (0, 0, 3)


BAD_LINES = [
    "{not json",
    json.dumps({"id": "x"}),  # no created_at
    json.dumps({"id": "y", "created_at": "eilen"}),
    json.dumps({"type": "interaction", "id": "z", "created_at": "2025-01-01T00:00:00Z"}),  # no author_id
    json.dumps({"id": "w", "created_at": "2025-01-01T00:00:00Z", "txet": "typo"}),
    json.dumps(["a", "list"]),
    json.dumps({"type": "comment", "id": "v", "created_at": "2025-01-01T00:00:00Z"}),
    json.dumps({"id": "u", "created_at": "2025-01-01T00:00:00Z", "url": "javascript:alert(1)"}),
    json.dumps({"id": "t", "created_at": "2025-01-01T00:00:00Z", "like_count": -5}),
    json.dumps({"id": {"nested": 1}, "created_at": "2025-01-01T00:00:00Z"}),
    json.dumps({"type": "interaction", "id": "s", "author_id": "a", "created_at": "2025-01-01T00:00:00Z", "kind": "like"}),
]


def test_invalid_lines_reported_with_line_numbers_and_nothing_written(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    path = write(tmp_path / "bad.jsonl", GOOD, BAD_LINES)
    path.write_bytes(path.read_bytes() + b'{"id": "latin", "text": "\xe4"}\n')
    with pytest.raises(InvalidRows) as err:
        import_jsonl(store, path, "Liisa")
    errors = err.value.report.errors
    assert [e.line for e in errors] == list(range(5, 5 + len(BAD_LINES) + 1))
    messages = " | ".join(e.message for e in errors)
    for fragment in ("not valid JSON", "'created_at' is required", "ISO-8601", "'author_id' is required", "unknown key(s) 'txet'",
                     "expected a JSON object", "'type' must be", "http(s) URL", "non-negative", "must be a string", "'kind' must", "not UTF-8"):
        assert fragment in messages, fragment
    assert store.counts()["posts"] == 0 and store.counts()["interactions"] == 0
    assert store.accounts(platform=Platform.JSONL) == []


def test_skip_invalid_imports_the_valid_lines(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    report = import_jsonl(store, write(tmp_path / "bad.jsonl", GOOD, BAD_LINES), "Liisa", skip_invalid=True)
    assert report.new_posts == 3 and report.new_interactions == 1 and len(report.errors) == len(BAD_LINES)


def test_two_leaders_same_raw_ids_do_not_collide(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    store.add_leader("Mika")
    path = write(tmp_path / "a.jsonl", GOOD[:3])
    import_jsonl(store, path, "Liisa", account_handle="liisa-intra")
    report = import_jsonl(store, path, "Mika", account_handle="mika-intra")
    assert report.new_posts == 2 and report.new_interactions == 1


def test_cli_exit_codes(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--database", db, "leaders", "add", "Liisa"]) == 0
    bad = write(tmp_path / "bad.jsonl", GOOD, BAD_LINES[:2])
    assert main(["--database", db, "import", "jsonl", str(bad), "--leader", "Liisa"]) == 2
    err = capsys.readouterr().err
    assert "line 5: not valid JSON" in err and "line 6:" in err and "nothing was imported" in err
    assert main(["--database", db, "import", "jsonl", str(bad), "--leader", "Liisa", "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "3 post(s) (3 new)" in out and "skipped 2 invalid" in out
    assert main(["--database", db, "import", "jsonl", str(tmp_path / "missing.jsonl"), "--leader", "Liisa"]) == 2


def test_import_commands_have_help_and_are_documented():
    from pathlib import Path

    from lasna.cli import imports

    docs = (Path(__file__).resolve().parent.parent / "docs" / "SOURCES.md").read_text(encoding="utf-8")
    commands = {c.name: c for c in imports.app.registered_commands}
    assert set(commands) == {"linkedin", "jsonl"}
    for name, command in commands.items():
        assert (command.callback.__doc__ or "").strip(), name
        assert f"lasna import {name}" in docs, name
