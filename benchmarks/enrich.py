"""Enrichment once, at ingest: throughput and the cost of loading score inputs, against the old path
(features recomputed on every load), both measured in the same run on the same seeded store.

    python benchmarks/enrich.py                      # 100,000 posts, 100 leaders, a temporary SQLite file
    python benchmarks/enrich.py --posts 200000 --database sqlite:////tmp/b.db

Prints:
* enrichment throughput (``lasna.enrich.enrich_pending`` over everything, store reads and writes, post
  types and reply stance included) in posts/s, against ``coaching.features.post_features`` alone;
* ``load_score_inputs`` wall time: the old path (frames + post_features over every post + cached post
  types and stance), cold (models classify everything) and warm (caches full), against the new path
  (reading the stored enrichment), and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lasna.store import Store  # noqa: E402
from lasna.types import Interaction, InteractionKind, Platform, Post  # noqa: E402

FI = ["Kiitos kaikille eilisestä tilaisuudesta", "mitä mieltä olette uudesta strategiasta",
      "tapasin tänään tiimini ja opin paljon", "julkaisimme vuosiraportin", "kustannukset laskivat {n} %",
      "kaupunginvaltuusto kokoontuu maanantaina", "hieno esitys @{h}", "miten te ratkaisisitte tämän",
      "olen ylpeä yhteisöstämme", "meidän täytyy puhua enemmän ilmastosta", "kävin tutustumassa kouluun",
      "luin kiinnostavan artikkelin johtamisesta", "oletko samaa mieltä", "tulos parani selvästi",
      "kiitos @{h} hyvästä työstä", "ensi viikolla vuorossa budjettiriihi", "koulutus on tulevaisuutta"]
EN = ["Thanks everyone for yesterday", "what do you think about the new strategy",
      "I met my team today and learned a lot", "we published our annual report", "costs down {n} % this year",
      "the council meets on Monday", "great talk by @{h}", "how would you solve this",
      "I am proud of our community", "we need to talk more about climate", "visited a school this morning",
      "read an interesting piece on leadership", "do you agree", "results improved clearly",
      "thanks @{h} for the great work", "budget talks next week", "education is the future"]
SHORT = ["Kiitos!", "Hienoa 👏", "Great work", "Totta", "Agreed", "🙂👍", "Hyvä pointti", "Exactly this"]
REPLIES = ["Kiitos vastauksesta!", "Olen eri mieltä, tämä on huono päätös.", "Great point, thanks",
           "This is a terrible decision and you know it", "Mitä tarkoitat tällä?", "👏👏", "Totally agree with you",
           "Miksi ette vastaa kysymyksiin?", "Hyvä kirjoitus, jaoin eteenpäin", "Can you share the report?"]


def text(rng: np.random.Generator, lang: str) -> str:
    if rng.random() < 0.1:
        return SHORT[rng.integers(len(SHORT))]
    pool = FI if lang == "fi" else EN
    parts = [pool[i] for i in rng.choice(len(pool), rng.integers(1, 4), replace=False)]
    s = ". ".join(p[0].upper() + p[1:] for p in parts)
    s = s.replace("{n}", str(rng.integers(1, 40))).replace("{h}", f"user{rng.integers(500)}")
    s += "?" if rng.random() < 0.2 else "."
    if rng.random() < 0.15:
        s += f" https://example.fi/{rng.integers(10**6)}"
    return s


def seed(store: Store, n_posts: int, n_leaders: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    t0 = datetime.now(UTC) - timedelta(days=540)
    per = n_posts // n_leaders
    for k in range(n_leaders):
        lang = "fi" if k % 3 else "en"
        leader = store.add_leader(f"Bench {k:04d}", language=lang, cohorts=[f"Cohort {k % 4}"])
        did = f"did:plc:bench{k:06d}"
        account = store.add_account(leader.id, Platform.BLUESKY, f"bench{k}.bsky.social", stable_id=did)
        times = np.sort(rng.integers(0, 540 * 86400, per))
        posts, inter = [], []
        for i in range(per):
            created = t0 + timedelta(seconds=int(times[i]))
            pid = f"at://{did}/app.bsky.feed.post/{i:07d}"
            iid = f"at://did:plc:fan{rng.integers(5000)}/app.bsky.feed.post/{k}-{i}"
            answer_of = inter[-1] if inter and rng.random() < 0.35 else None
            posts.append(Post(
                id=pid, platform=Platform.BLUESKY, author_id=did, created_at=created,
                text=text(rng, lang if rng.random() < 0.9 else ("en" if lang == "fi" else "fi")),
                reply_parent_id=answer_of.id if answer_of else None,
                reply_root_id=answer_of.root_id if answer_of else None,
                reply_parent_author_id=answer_of.author_id if answer_of else None,
                is_repost=bool(rng.random() < 0.05) and answer_of is None))
            if rng.random() < 0.8:
                inter.append(Interaction(
                    id=iid, platform=Platform.BLUESKY, kind=InteractionKind.REPLY,
                    author_id=iid.split("/")[2], created_at=created + timedelta(minutes=int(rng.integers(1, 600))),
                    text=REPLIES[rng.integers(len(REPLIES))] + ("" if rng.random() < 0.5 else f" #{i}"),
                    parent_id=pid, root_id=pid))
        store.save_batch(account, posts=posts, interactions=inter)


def old_load(store: Store):
    """The pre-enrichment ``load_score_inputs``: post features recomputed over every post on every call."""
    from coaching.features import post_features
    from lasna import scoring_service as ss

    leaders = store.leaders_frame()
    ids = leaders["leader_id"].tolist()
    posts = store.posts_frame(ids)
    interactions = store.interactions_frame(ids)
    stances = ss.reply_stance(store, interactions).set_index("interaction_id")["label"]
    interactions = interactions.assign(stance=interactions["interaction_id"].map(stances))
    return ss.ScoreInputs(leaders=leaders, posts=posts, interactions=interactions, features=post_features(posts),
                          post_types=ss.post_types(store, posts))


def timed(fn):
    began = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--leaders", type=int, default=100)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    store = Store.open(url)

    from coaching.features import post_features
    from lasna import enrich, scoring_service

    enrich.versions()  # load (or train) the models outside the timings
    _, t_seed = timed(lambda: seed(store, args.posts, args.leaders))
    n_posts, n_inter = store.counts()["posts"], store.counts()["interactions"]
    print(f"seeded {n_posts:,} posts and {n_inter:,} incoming of {args.leaders} leaders in {t_seed:.1f} s ({url})")

    posts = store.posts_frame()
    post_features(posts.head(200))  # language model loaded outside the timing
    _, t_feat = timed(lambda: post_features(posts))
    result, t_enrich = timed(lambda: enrich.enrich_pending(store))
    assert result.posts == n_posts and result.interactions == n_inter, result
    print(f"post_features alone:          {n_posts / t_feat:10,.0f} posts/s  ({t_feat:.1f} s)")
    print(f"enrich_pending (everything):  {n_posts / t_enrich:10,.0f} posts/s  ({t_enrich:.1f} s for "
          f"{n_posts:,} posts + {n_inter:,} incoming, post types, stance, links, reads and writes) "
          f"= {t_feat / t_enrich:.2f}x post_features alone")

    for stage, seconds in sorted(enrich.STAGES.items(), key=lambda kv: -kv[1]):
        print(f"    {stage:<32} {seconds:7.1f} s  ({seconds / t_enrich:4.0%})")
    _, t_old_cold = timed(lambda: old_load(store))
    _, t_old = timed(lambda: old_load(store))
    new, t_new = timed(lambda: scoring_service.load_score_inputs(store))
    assert new.catch_up == 0
    print(f"load_score_inputs old, cold:  {t_old_cold:8.2f} s  (classifies post types and stance into the caches)")
    print(f"load_score_inputs old, warm:  {t_old:8.2f} s  (post_features over every post, every call)")
    print(f"load_score_inputs new:        {t_new:8.2f} s  (stored enrichment) = {t_old / t_new:.1f}x faster than "
          f"old warm")
    one = int(store.leaders_frame()["leader_id"].iloc[0])
    _, t_one = timed(lambda: scoring_service.load_score_inputs(store, leader_ids=[one]))
    print(f"load_score_inputs new, one leader: {t_one:.2f} s")
    store.close()


if __name__ == "__main__":
    main()
