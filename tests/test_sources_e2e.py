"""End to end through `lasna collect --source feeds|mastodon` against loopback servers.

The CLI runs in-process (``lasna.cli.main``): a subprocess costs ~8 s of imports per run
on the shared machine, and the bluesky branch already covers the subprocess entry point.
"""

from __future__ import annotations

import json

import pytest

from lasna.store import Store
from lasna.types import Platform
from lasna.cli import main
from tests.fake_mastodon import FakeMastodon
from tests.sources_helpers import FIXTURES, loop_server  # noqa: F401
from tests.test_feeds_collector import RSS, conditional


@pytest.fixture
def world(tmp_path, loop_server):  # noqa: F811
    db = f"sqlite:///{tmp_path / 'e2e.db'}"
    store = Store.open(db)
    liisa = store.add_leader("Liisa")
    mika = store.add_leader("Mika")
    # the blog's comment feed is served by the loopback server too (never the real site)
    conditional(loop_server, "/feed.xml", RSS.replace(b"https://liisalehtinen.fi/2025/11/miksi-vastaan/feed/", loop_server.url("/c/1").encode()))
    loop_server.static("/c/1", (FIXTURES / "feeds" / "wordpress_comments.xml").read_bytes(), headers={"Content-Type": "application/rss+xml"})
    feed = loop_server.url("/feed.xml")
    gone = loop_server.url("/gone.xml")
    store.add_account(liisa.id, Platform.FEED, feed, stable_id=feed, url=feed)
    store.add_account(mika.id, Platform.FEED, gone, stable_id=gone, url=gone)
    fake = FakeMastodon(host="127.0.0.1", netloc=f"127.0.0.1:{loop_server.port}", scheme="http")
    fake.add_account(json.loads((FIXTURES / "mastodon" / "account_lookup.json").read_text()))
    context = json.loads((FIXTURES / "mastodon" / "context_root.json").read_text())
    for status in json.loads((FIXTURES / "mastodon" / "statuses.json").read_text()) + context["descendants"]:
        fake.add_status(status)
    fake.contexts["113412345678901234"] = context
    fake.serve_on(loop_server)
    store.add_account(liisa.id, Platform.MASTODON, "liisa@mastodon.example", url=loop_server.url("/@liisa"))
    store.close()
    return {"LASNA_ALLOW_PRIVATE_URLS": "1", "LASNA_THREAD_HORIZON_DAYS": "3650", "LASNA_DATABASE_URL": db}, db, fake


@pytest.fixture
def collect_json(monkeypatch, capsys):
    def run(env, *args):
        for key in ("LASNA_ALLOW_PRIVATE_URLS", "LASNA_THREAD_HORIZON_DAYS", "LASNA_DATABASE_URL"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = main(["collect", "--json", *args])
        lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
        assert len(lines) == 1, lines
        return code, json.loads(lines[-1])

    return run


def _by_platform(report):
    return {(a["leader"], a["platform"]): a for a in report["accounts"]}


def test_collect_feeds_then_mastodon(world, loop_server, collect_json):  # noqa: F811
    env, db, fake = world
    code, report = collect_json(env, "--source", "feeds")
    accounts = _by_platform(report)
    assert code == 1 and not report["ok"]  # Mika's feed is gone; Liisa's is fine
    liisa = accounts[("Liisa", "feed")]
    assert liisa["error"] is None
    assert (liisa["new_posts"], liisa["new_interactions"], liisa["requests"]) == (4, 1, 2)  # 3 entries + her comment
    assert "gone" in accounts[("Mika", "feed")]["error"]
    code, report = collect_json(env, "--source", "feeds", "--leader", "Liisa")
    liisa = _by_platform(report)[("Liisa", "feed")]
    assert code == 0 and liisa["requests"] == 1 and liisa["new_posts"] == 0
    code, report = collect_json(env, "--source", "mastodon")
    masto = _by_platform(report)[("Liisa", "mastodon")]
    assert code == 0, report
    assert (masto["new_posts"], masto["new_interactions"], masto["requests"]) == (4, 2, 4)
    store = Store.open(db)
    try:
        frame = store.interactions_frame()
        assert set(frame[frame.platform == "feed"].author_name) == {"Bob"}
        frame = frame[frame.platform == "mastodon"]
        assert set(frame.author_handle) == {"bob@social.example", "carol@toot.example"}
    finally:
        store.close()


def test_private_addresses_refused_without_the_setting(world, collect_json):
    env, _db, _fake = world
    env = dict(env)
    env.pop("LASNA_ALLOW_PRIVATE_URLS")
    code, report = collect_json(env, "--source", "all")
    assert code == 1
    errors = [a["error"] for a in report["accounts"] if a["platform"] in ("feed", "mastodon")]
    assert errors and all("private or local address" in e for e in errors)
