"""The bundled demo: deterministic, idempotent, and showing the contrasting styles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lasna.demo import DEMO_FILE, load_demo, read_demo, week_shift
from lasna.errors import InputError


def test_committed_demo_file_is_what_the_generator_makes():
    import runpy

    generator = runpy.run_path(str(DEMO_FILE.with_name("generate.py")), run_name="demo_generate")
    assert generator["render"]() == DEMO_FILE.read_bytes(), "run: python data/demo/generate.py"


def test_demo_has_the_promised_breadth():
    data = read_demo()
    assert "DEMO DATA" in data["note"]
    assert len(data["leaders"]) >= 12
    assert len({c for l in data["leaders"] for c in l["cohorts"]}) >= 2
    assert {l["language"] for l in data["leaders"]} == {"fi", "en"}
    styles = {l["style"] for l in data["leaders"]}
    assert {"conversationalist", "broadcaster", "steady", "shooting_star", "restrictor"} <= styles
    times = [p["created_at"] for l in data["leaders"] for a in l["accounts"] for p in a["posts"]]
    first, last = (datetime.fromisoformat(x.replace("Z", "+00:00")) for x in (min(times), max(times)))
    assert last - first >= timedelta(days=540)


def test_loading_the_demo_twice_changes_nothing(store):
    today = datetime(2026, 11, 22, tzinfo=UTC)
    first = load_demo(store, today=today)
    snapshot = store.posts_frame().sort_values("post_id").reset_index(drop=True)
    second = load_demo(store, today=today + timedelta(days=20))  # a later week: creation times still do not move
    assert first.new_posts == first.posts > 5000 and first.new_interactions == first.interactions > 3000
    assert (second.new_posts, second.new_interactions) == (0, 0)
    again = store.posts_frame().sort_values("post_id").reset_index(drop=True)
    assert again.equals(snapshot)


def test_demo_styles_show_in_the_data(sqlite_store):
    load_demo(sqlite_store, today=datetime(2026, 11, 22, tzinfo=UTC))
    posts = sqlite_store.posts_frame()
    interactions = sqlite_store.interactions_frame()
    answered = set(posts["reply_parent_id"].dropna())
    rate = interactions[interactions["kind"] == "reply"].assign(a=lambda f: f.interaction_id.isin(answered))
    rate = rate.groupby("leader")["a"].mean()
    assert rate["Liisa Virtanen"] > 0.6 > 0.1 > rate["Markku Nieminen"]
    restricted = posts.groupby("leader")["replies_restricted"].mean()
    assert restricted["Sanna Heikkinen"] > 0.3 and restricted["Liisa Virtanen"] == 0
    weeks = posts.groupby("leader")["created_at"].agg(lambda s: s.dt.strftime("%G-%V").nunique())
    assert weeks["Aino Korhonen"] > 2 * weeks["Jari Mäkinen"]


def test_demo_refuses_to_touch_a_real_leader_with_the_same_name(sqlite_store):
    sqlite_store.add_leader("Liisa Virtanen")
    with pytest.raises(InputError, match="real leader"):
        load_demo(sqlite_store)


def test_week_shift_moves_the_anchor_to_this_weeks_monday():
    anchor = datetime(2026, 11, 16, tzinfo=UTC)
    assert week_shift(anchor, datetime(2026, 11, 18, 15, tzinfo=UTC)) == timedelta(0)
    assert week_shift(anchor, datetime(2027, 1, 6, tzinfo=UTC)) == timedelta(weeks=7)
    assert week_shift(anchor, datetime(2026, 1, 1, tzinfo=UTC)) == timedelta(0)
