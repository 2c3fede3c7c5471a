"""Item 9: hostile imports (lone surrogates, NUL in ids, wrong types) are input errors: one line,
exit 2, and nothing written — not even an empty account row. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from collectors.imports.jsonl import import_jsonl
from lasna.errors import InputError
from lasna.store import Store
from lasna.types import Platform, Post

from .cli import lasna

GOOD = {"type": "post", "id": "p1", "created_at": "2026-01-02T10:00:00Z", "text": "Hei"}
HOSTILE = {
    "lone surrogate in text": '{"id": "p2", "created_at": "2026-01-02T10:00:00Z", "text": "a\\ud800b"}',
    "lone surrogate in id": '{"id": "p\\udfff", "created_at": "2026-01-02T10:00:00Z"}',
    "NUL in id": '{"id": "p\\u0000x", "created_at": "2026-01-02T10:00:00Z"}',
    "NUL in author": '{"type": "interaction", "id": "c1", "created_at": "2026-01-02T10:00:00Z", "author_id": "a\\u0000"}',
    "surrogate in handle": '{"type": "interaction", "id": "c1", "created_at": "2026-01-02T10:00:00Z", '
                           '"author_id": "a", "author_handle": "\\ud83d"}',
    "number as text": '{"id": "p3", "created_at": "2026-01-02T10:00:00Z", "text": 5}',
    "list as id": '{"id": ["p4"], "created_at": "2026-01-02T10:00:00Z"}',
    "surrogate in tags": '{"id": "p5", "created_at": "2026-01-02T10:00:00Z", "tags": ["\\udc00"]}',
}


def _accounts(store: Store):
    return [(a.platform, a.handle) for a in store.accounts()]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_jsonl_line_is_refused_and_nothing_is_written(tmp_path, store, case):
    store.add_leader("Liisa Virtanen")
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + HOSTILE[case] + "\n", encoding="utf-8")
    with pytest.raises(InputError):
        import_jsonl(store, path, "Liisa Virtanen")
    assert _accounts(store) == []
    assert store.counts()["posts"] == 0 and store.counts()["interactions"] == 0


def test_skip_invalid_imports_the_good_rows_only(tmp_path, store):
    store.add_leader("Liisa Virtanen")
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + "\n".join(HOSTILE.values()) + "\n", encoding="utf-8")
    report = import_jsonl(store, path, "Liisa Virtanen", skip_invalid=True)
    assert report.new_posts == 1 and len(report.errors) == len(HOSTILE)
    assert store.counts()["posts"] == 1


def test_the_shared_write_refuses_unstorable_values_before_creating_the_account(store):
    # what any importer (LinkedIn included) hands to the shared write path
    from collectors.imports.common import ImportReport, pending_account, write

    leader = store.add_leader("Liisa Virtanen")
    account = pending_account(store, leader, Platform.JSONL, "import")
    bad = Post(id="jsonl:import:x", platform=Platform.JSONL, author_id="me", created_at=datetime(2026, 1, 1, tzinfo=UTC),
               text="ok", url="https://example.fi/\ud800")
    with pytest.raises(InputError, match="lone surrogate"):
        write(store, account, ImportReport(leader.name, "import"), [bad], [], {})
    assert _accounts(store) == []


def test_cli_hostile_import_is_one_line_exit_2_and_no_account(tmp_path, capsys):
    from lasna.cli import main

    db = f"sqlite:///{tmp_path / 'i.db'}"
    assert main(["--database", db, "leaders", "add", "Liisa Virtanen"]) == 0
    path = tmp_path / "in.jsonl"
    for case in ("lone surrogate in text", "NUL in id", "number as text"):
        path.write_text(HOSTILE[case] + "\n", encoding="utf-8")
        capsys.readouterr()
        assert main(["--database", db, "import", "jsonl", str(path), "--leader", "Liisa Virtanen"]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.count("error:") == 1, err
    capsys.readouterr()
    assert main(["--database", db, "import", "jsonl", str(path), "--leader", "Liisa Virtanen", "--account", "a\tb"]) == 2
    assert len([x for x in capsys.readouterr().err.splitlines() if x.strip()]) == 1
    path.write_text(HOSTILE["lone surrogate in text"] + "\n", encoding="utf-8")
    proc = lasna("import", "jsonl", str(path), "--leader", "Liisa Virtanen", db=db)  # the real program
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    store = Store.open(db)
    assert _accounts(store) == []
    store.close()
