"""A small store for the notification tests: three leaders with posts, answered and waiting replies,
a goal and a booked sparring session; executives, a consultant and an admin without e-mail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lasna import users
from lasna.store import Store
from lasna.types import Goal, Interaction, InteractionKind, Platform, Post, SessionNote

#: Monday 7 December 2026, 10:00 in Helsinki (UTC+2): inside business hours, ISO week 2026-W50
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
WEEK = "2026-W50"
PASSWORD = "correct horse battery staple"

LEADERS = {
    # name: (language, cohort, handle, secret text of the waiting question)
    "Aino Aalto": ("fi", "Kohortti A", "aino", "Milloin AINO-SALAISUUS uusi strategia julkaistaan?"),
    "Ben Brown": ("en", "Cohort B", "ben", "When will BEN-SECRET report be out?"),
    "Carla Cruz": ("en", "Cohort B", "carla", "Why did CARLA-SECRET budget change?"),
}
USERS = {
    "aino": ("executive", "Aino Aalto", "aino@example.org"),
    "ben": ("executive", "Ben Brown", "ben@example.org"),
    "carla": ("executive", "Carla Cruz", "carla@example.org"),
}
CONSULTANT = ("conny", "conny@example.org", ["Aino Aalto", "Ben Brown"])
ADMIN_WITHOUT_EMAIL = "ada"


def _did(handle: str) -> str:
    return f"did:plc:{handle:a<24}"


def seed(store: Store, now: datetime = NOW) -> dict[str, int]:
    ids = {}
    for n, (name, (lang, cohort, handle, secret)) in enumerate(LEADERS.items()):
        leader = store.add_leader(name, language=lang, cohorts=[cohort])
        ids[name] = leader.id
        account = store.add_account(leader.id, Platform.BLUESKY, f"{handle}.example.com", stable_id=_did(handle))
        me = account.stable_id
        posts, replies = [], []
        for i in range(24):  # a post every 2.5 days over two months, every third asks something
            at = now - timedelta(days=60) + timedelta(hours=60 * i)
            text = (f"Mitä mieltä olette asiasta {i}?" if lang == "fi" else f"What do you think about topic {i}?") \
                if i % 3 == 0 else (f"Kävin tänään tapaamassa tiimiä {i}." if lang == "fi" else f"I met the team today {i}.")
            posts.append(Post(id=f"at://{handle}/post/{i}", platform=Platform.BLUESKY, author_id=me, created_at=at,
                              indexed_at=at, text=text, lang=lang,
                              url=f"https://bsky.app/profile/{handle}.example.com/post/{i}"))
            if i % 2 == 0 and i < 22:  # a reply from someone, answered by the leader an hour later
                rid = f"at://fan{i}/reply/{handle}{i}"
                replies.append(Interaction(id=rid, platform=Platform.BLUESKY, kind=InteractionKind.REPLY,
                                           author_id=f"did:plc:fan{i}{handle}", author_handle=f"fan{i}.example.com",
                                           author_name=f"Fan {i}", created_at=at + timedelta(hours=2),
                                           indexed_at=at + timedelta(hours=2), text=f"Good point {i}, thanks?",
                                           parent_id=posts[-1].id, root_id=posts[-1].id,
                                           url=f"https://bsky.app/profile/fan{i}.example.com/post/{handle}{i}"))
                answer_at = at + timedelta(hours=3)
                posts.append(Post(id=f"at://{handle}/answer/{i}", platform=Platform.BLUESKY, author_id=me,
                                  created_at=answer_at, indexed_at=answer_at, text=f"Thank you, fan {i}!",
                                  reply_parent_id=rid, reply_root_id=posts[-1].id,
                                  reply_parent_author_id=f"did:plc:fan{i}{handle}"))
        last = posts[-1].id if not posts[-1].reply_parent_id else posts[-2].id
        # waiting: a question of 30 h (past a 24 h threshold) and a fresh comment of 2 h (not yet)
        replies.append(Interaction(id=f"at://asker/{handle}/q", platform=Platform.BLUESKY, kind=InteractionKind.REPLY,
                                   author_id="did:plc:asker" + handle, author_handle="asker.example.com",
                                   author_name=f"Asker {n}", created_at=now - timedelta(hours=30),
                                   indexed_at=now - timedelta(hours=30), text=secret, parent_id=last, root_id=last,
                                   url=f"https://bsky.app/profile/asker.example.com/post/{handle}q"))
        replies.append(Interaction(id=f"at://fresh/{handle}/c", platform=Platform.BLUESKY, kind=InteractionKind.REPLY,
                                   author_id="did:plc:fresh" + handle, author_handle="fresh.example.com",
                                   author_name="Fresh", created_at=now - timedelta(hours=2),
                                   indexed_at=now - timedelta(hours=2), text=f"Is this new, {handle}?",
                                   parent_id=last, root_id=last,
                                   url=f"https://bsky.app/profile/fresh.example.com/post/{handle}c"))
        store.save_batch(account, posts=posts, interactions=replies)
    aino = ids["Aino Aalto"]
    store.add_goal(Goal(leader_id=aino, metric="response_rate", target=0.9, start=date(2026, 10, 1),
                        deadline=date(2027, 3, 1), description="Vastaa kaikille"))
    store.add_session(SessionNote(leader_id=aino, held_on=date(2026, 11, 23), period_start=date(2026, 10, 1),
                                  period_end=date(2026, 11, 22), notes="",
                                  actions=("Vastaa kysymyksiin saman päivän aikana", "Kiitä ääneen"),
                                  next_session=date(2026, 12, 9), consultant="conny"))
    for name, (role, leader, email) in USERS.items():
        users.add_user(store, name, role, password=PASSWORD, email=email, leaders=[leader])
    users.add_user(store, CONSULTANT[0], "consultant", password=PASSWORD, email=CONSULTANT[1], leaders=CONSULTANT[2])
    users.add_user(store, ADMIN_WITHOUT_EMAIL, "admin", password=PASSWORD)
    return ids
