"""Item 12: `lasna db retention --days` refuses zero and negative periods (they deleted everything)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lasna.cli import main
from lasna.errors import InputError
from lasna.store import Store
from lasna.types import Platform, Post


def _seed(store: Store) -> None:
    leader = store.add_leader("Liisa Virtanen")
    account = store.add_account(leader.id, Platform.BLUESKY, "liisa.example.fi", stable_id="did:plc:" + "l" * 24)
    now = datetime.now(UTC)
    store.save_batch(account, posts=[
        Post(id=f"at://x/{i}", platform=Platform.BLUESKY, author_id="did:plc:" + "l" * 24,
             created_at=now - timedelta(days=i * 10), text="hei") for i in range(5)
    ])


@pytest.mark.parametrize("days", [0, -5, -730])
def test_library_refuses_non_positive_periods(store, days):
    _seed(store)
    with pytest.raises(InputError, match="at least 1"):
        store.apply_retention(days)
    assert store.counts()["posts"] == 5


@pytest.mark.parametrize("days", ["0", "-5"])
def test_cli_refuses_non_positive_days(tmp_path, capsys, days):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    store = Store.open(db)
    _seed(store)
    store.close()
    assert main(["--database", db, "db", "retention", "--days", days]) == 2
    assert "Traceback" not in capsys.readouterr().err
    store = Store.open(db)
    assert store.counts()["posts"] == 5
    store.close()


def test_setting_a_non_positive_retention_is_refused_too(store, monkeypatch):
    _seed(store)
    monkeypatch.setenv("LASNA_RETENTION_DAYS", "-1")
    with pytest.raises(InputError):
        store.apply_retention()
    assert store.counts()["posts"] == 5


def test_a_positive_period_still_deletes_old_rows(store):
    _seed(store)
    deleted = store.apply_retention(25)
    assert deleted["posts"] == 2 and store.counts()["posts"] == 3
