"""A seeded dashboard store shared by the AppTest and browser tests: the demo data, users of
every role, a consultant-only cohort, and a leader whose posts carry injection payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lasna import users
from lasna.demo import load_demo
from lasna.store import Store
from lasna.types import Interaction, InteractionKind, Platform, Post, Visibility

PASSWORD = "correct horse battery staple"
EXEC_LEADER = "Markku Nieminen"  # in "Julkisjohtajat 2025–2026" (visibility: all)
OTHER_LEADER = "Liisa Virtanen"  # the same cohort: a peer, never visible in detail to eero
AGG_LEADER = "Emma Clarke"  # in "Leadership Circle 2026" (visibility: aggregates)
CONSULTANT_LEADER = "Jari Mäkinen"
SECRET_COHORT = "Luottamuksellinen"
INJECTION_LEADER = "Injection Test"
PAYLOADS = (
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[click](javascript:alert(3))",
    "**bold**",
)


def seed(url: str) -> Store:
    store = Store.open(url)
    load_demo(store)
    store.set_cohort(SECRET_COHORT, Visibility.CONSULTANT)
    with store.engine.begin() as conn:
        store._join_cohort(conn, store.leader(EXEC_LEADER).id, SECRET_COHORT)
    inj = store.add_leader(INJECTION_LEADER, language="en", cohorts=[SECRET_COHORT])
    account = store.add_account(inj.id, Platform.BLUESKY, "inj.example.com", stable_id="did:plc:" + "a" * 24)
    now = datetime.now(UTC) - timedelta(hours=2)
    posts = [
        Post(id=f"at://inj/{i}", platform=Platform.BLUESKY, author_id=account.stable_id,
             created_at=now - timedelta(hours=i), text=f"payload {i}: {text}",
             url="javascript:alert(9)" if i == 0 else f"https://bsky.app/profile/inj.example.com/post/{i}")
        for i, text in enumerate(PAYLOADS)
    ]
    replies = [
        Interaction(id=f"at://someone/{i}", platform=Platform.BLUESKY, kind=InteractionKind.REPLY,
                    author_id="did:plc:" + "b" * 24, author_handle=f"<b>evil{i}</b>", created_at=now,
                    text=f"reply {i}: {text}", parent_id=f"at://inj/{i}", root_id=f"at://inj/{i}")
        for i, text in enumerate(PAYLOADS)
    ]
    store.save_batch(account, posts=posts, interactions=replies)
    users.add_user(store, "ada", "admin", password=PASSWORD)
    users.add_user(store, "conny", "consultant", password=PASSWORD, leaders=[CONSULTANT_LEADER],
                   cohorts=["Leadership Circle 2026"])
    users.add_user(store, "eero", "executive", password=PASSWORD, leaders=[EXEC_LEADER], email="eero@example.com")
    users.add_user(store, "emma", "executive", password=PASSWORD, leaders=[AGG_LEADER])
    users.add_user(store, "inj", "executive", password=PASSWORD, leaders=[INJECTION_LEADER])
    return store
