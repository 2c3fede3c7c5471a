"""Tiny hand-made frames for the coaching tests (built with lasna.frames.conform)."""

from __future__ import annotations

import pandas as pd

from lasna.frames import INTERACTION_COLUMNS, LEADER_COLUMNS, POST_COLUMNS, conform

T0 = pd.Timestamp("2026-03-01", tz="UTC")
UNTIL = pd.Timestamp("2026-03-31", tz="UTC")


def at(days: float = 0, hours: float = 0) -> pd.Timestamp:
    return T0 + pd.Timedelta(days=days, hours=hours)


def post(pid, t, text="", leader_id=1, author="L1", parent=None, parent_author=None, root=None, **kw):
    return dict(post_id=pid, leader_id=leader_id, leader=f"Leader {leader_id}", account_id=leader_id,
                platform="bluesky", author_id=author, created_at=t, indexed_at=t, text=text,
                reply_parent_id=parent, reply_parent_author_id=parent_author, reply_root_id=root, **kw)


def incoming(iid, t, author, parent, text="Hyvä kysymys, toivoisin lisää tietoa.", leader_id=1, root=None,
             kind="reply", **kw):
    return dict(interaction_id=iid, leader_id=leader_id, leader=f"Leader {leader_id}", account_id=leader_id,
                platform="bluesky", kind=kind, author_id=author, author_handle=author, created_at=t,
                indexed_at=t, text=text, parent_id=parent, root_id=root or parent, **kw)


def frames(posts, inter, leader_ids=(1,), cohorts=None):
    P = conform(pd.DataFrame(posts), POST_COLUMNS) if posts else conform(pd.DataFrame(columns=list(POST_COLUMNS)), POST_COLUMNS)
    I = conform(pd.DataFrame(inter), INTERACTION_COLUMNS) if inter else conform(
        pd.DataFrame(columns=list(INTERACTION_COLUMNS)), INTERACTION_COLUMNS)
    L = conform(pd.DataFrame([dict(leader_id=i, leader=f"Leader {i}", language="fi",
                                   cohorts=(cohorts or {}).get(i, []), demo=False) for i in leader_ids]),
                LEADER_COLUMNS)
    return P, I, L


def hand_fixture():
    """One leader, documented in tests/test_coaching_metrics.py with hand-computed values."""
    posts = [
        post("p1", at(1), "Mitä mieltä olette uudesta kirjastosta?"),
        post("p2", at(2), "Kaupunki tiedottaa: valtuusto kokoontuu maanantaina."),
        post("p3", at(3, 5), "Uusi strategia julkaistu verkkosivuilla.", replies_restricted=True),
        post("r1", at(1, 2), "Kiitos kysymyksestä, kirjasto avataan kesällä.", parent="i1", parent_author="U1", root="p1"),
        post("r2", at(2, 1), "Lisätietoa tulossa huomenna verkkosivuille.", parent="p2", parent_author="L1", root="p2"),
        post("r3", at(20), "Pahoittelen viivettä, pöytäkirja on nyt julkaistu.", parent="i3", parent_author="U2", root="p2"),
        post("r4", at(3, 1), "👍", parent="i4", parent_author="U1", root="p1"),
    ]
    inter = [
        incoming("i1", at(1, 1), "U1", "p1", "Hyvä kysymys, toivoisin lisää aukioloaikoja."),
        incoming("i2", at(1, 3), "U3", "p1", "Samaa mieltä edellisen kanssa kirjastosta."),
        incoming("i3", at(2, 2), "U2", "p2", "Milloin kokouksen pöytäkirja tulee?"),
        incoming("i4", at(3), "U1", "p1", "Entä lasten osasto, mitä sille tapahtuu?"),
        incoming("i5", at(3, 6), "U4", "p3", "👏👏"),
        incoming("i6", at(3, 7), "U5", "p3", "Tämä on ihan roskaa.", hidden=True),
    ]
    return frames(posts, inter)
