"""End-to-end benchmark: collect → enrich → facts → views, on a seeded store.

    PYTHONPATH=. python benchmarks/e2e.py            # 1,000,000 posts of 1,000 leaders (and ~500,000 replies)
    PYTHONPATH=. python benchmarks/e2e.py --quick    # 50,000 posts of 1,000 leaders
    PYTHONPATH=. python benchmarks/e2e.py --posts 200000 --leaders 100 --keep /tmp/e2e

Measured, in one run:

* seeding the store (bulk SQL) and building the facts (enrichment of every post included while the
  stored enrichment of ``lasna enrich`` is not there: the rebuild then computes features itself);
* ``lasna version`` CPU, ``lasna tips --leader X``, ``lasna report --leader X --format html`` and
  ``lasna score --leader X --json`` as subprocesses, process start included (wall seconds);
* the score of one window in-process from facts against the old full recompute
  (:func:`lasna.scoring_service.score_store_full`, all posts loaded and enriched) — on the whole
  store when it has at most ``--old-max`` posts, else on a slice of that many posts (printed);
* My presence, Sparring and Cohorts with scores, tips, goals and waiting conversations ON: the first view
  in a fresh dashboard process, cold after a collection run (data version moved) and warm (Streamlit
  AppTest, server-side script time and CPU time), and that process's peak memory;
* 1,000 new posts (replies answering recent messages and new root posts over 100 leaders): the bulk
  store path plus :func:`lasna.pipeline.after_ingest` (enrichment, facts) until they are in every number.

Targets (issue #11): tips/report <= 1 s, page cold <= 2 s, warm <= 0.3 s, <= 1.5 GiB, new posts <= 2 s,
``lasna version`` <= 0.3 s CPU.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FI_WORDS = ("kiitos tiimille hyvästä työstä tänään", "mitä mieltä olette uudesta mallista", "julkaisimme raportin",
            "tulokset näyttävät 12 % kasvua", "olen samaa mieltä", "me teimme tämän yhdessä", "kuntalaisten palvelut",
            "avoimuus ja luottamus", "kysyn teiltä", "palaan tähän huomenna", "hyvä kysymys", "budjetti ja talous",
            "koulutus ja osaaminen", "liikenne ja ilmasto", "tänään kävin", "mielestäni tärkeintä on")
EN_WORDS = ("thanks to the team for great work", "what do you think about the new model", "we published the report",
            "results show 12 % growth", "I agree with this", "we did it together", "public services",
            "openness and trust", "I am asking you", "will come back to this tomorrow", "good question",
            "budget and economy", "education and skills", "traffic and climate", "today I visited", "in my view")


def _text(rng, lang: str) -> str:
    words = FI_WORDS if lang == "fi" else EN_WORDS
    parts = [words[i] for i in rng.integers(0, len(words), int(rng.integers(1, 4)))]
    text = ", ".join(parts).capitalize()
    return text + ("?" if rng.random() < 0.2 else ".")


def seed(path: Path, n_posts: int, leaders: int, seed_: int = 11) -> float:
    """A SQLite store with ``n_posts`` own posts over two years for ``leaders`` leaders in 10 cohorts
    (one Bluesky account each), about one incoming reply per two posts, leader answers to a third of
    them, mentions, links and reposts; an executive user for leader 0. Returns seconds."""
    from lasna import users
    from lasna.store import Store

    started = time.perf_counter()
    store = Store.open(f"sqlite:///{path}")
    rng = np.random.default_rng(seed_)
    now = datetime.now(UTC).replace(tzinfo=None)
    accts = []
    for i in range(leaders):
        leader = store.add_leader(f"Leader {i:04d}", language="fi" if i % 3 else "en", cohorts=[f"Cohort {i % 10}"])
        account = store.add_account(leader.id, "bluesky", f"leader{i:04d}.example.com", stable_id=f"did:plc:l{i:022d}")
        accts.append((leader.id, account.id, account.stable_id, "fi" if i % 3 else "en"))
    post_cols = ["id", "account_id", "leader_id", "platform", "author_id", "created_at", "indexed_at", "text", "lang",
                 "url", "reply_parent_id", "reply_root_id", "reply_parent_author_id", "is_repost", "mentions", "links",
                 "tags", "like_count", "reply_count", "repost_count", "quote_count", "replies_restricted",
                 "quotes_disabled", "hidden_replies", "deleted"]
    int_cols = ["id", "account_id", "leader_id", "platform", "kind", "author_id", "author_handle", "created_at",
                "indexed_at", "text", "lang", "url", "parent_id", "root_id", "hidden", "deleted"]
    ins_p = f"INSERT INTO posts ({', '.join(post_cols)}) VALUES ({', '.join('?' * len(post_cols))})"
    ins_i = f"INSERT INTO interactions ({', '.join(int_cols)}) VALUES ({', '.join('?' * len(int_cols))})"

    def ts(seconds_ago: float) -> str:
        return (now - timedelta(seconds=float(seconds_ago))).strftime("%Y-%m-%d %H:%M:%S.%f")

    with store.engine.begin() as conn:
        for (lid, aid, did, lang), idx in zip(accts, np.array_split(np.arange(n_posts), leaders)):
            n = len(idx)
            ages = np.sort(rng.uniform(0, 730 * 86400, n))[::-1]
            posts, inter = [], []
            open_msgs: list[tuple[str, str, float, str]] = []  # (id, author, age, root)
            for j, age in zip(idx.tolist(), ages.tolist()):
                pid = f"at://{did}/app.bsky.feed.post/{j}"
                r = rng.random()
                parent = parent_author = root = None
                mentions, links = "[]", "[]"
                repost = 0
                if r < 0.3 and open_msgs:  # an answer to a message
                    mid, mauthor, mage, mroot = open_msgs.pop(int(rng.integers(len(open_msgs))))
                    if mage > age:
                        parent, parent_author, root = mid, mauthor, mroot
                elif r < 0.35:
                    repost = 1
                if rng.random() < 0.1:
                    mentions = f'["did:plc:p{int(rng.integers(5000)):06d}"]'
                if rng.random() < 0.15:
                    links = '["https://example.org/report"]'
                posts.append((pid, aid, lid, "bluesky", did, ts(age), ts(age), _text(rng, lang), lang,
                              f"https://bsky.app/profile/{did}/post/{j}", parent, root, parent_author, repost,
                              mentions, links, "[]", 0, 0, 0, 0, int(rng.random() < 0.02), 0, 0, 0))
                if parent is None and not repost and rng.random() < 0.5:  # others reply under a root post
                    for k in range(int(rng.integers(1, 3))):
                        iage = max(age - rng.uniform(60, 3 * 86400), 1.0)
                        iid = f"at://did:plc:p{int(rng.integers(5000)):06d}/app.bsky.feed.post/{j}-{k}"
                        author = f"did:plc:p{int(rng.integers(5000)):06d}"
                        inter.append((iid, aid, lid, "bluesky", "reply", author, f"{author[8:]}.example.com",
                                      ts(iage), ts(iage), _text(rng, lang), lang, f"https://bsky.app/x/{j}-{k}", pid,
                                      pid, int(rng.random() < 0.01), 0))
                        open_msgs.append((iid, author, iage, pid))
                        open_msgs = open_msgs[-50:]
            conn.exec_driver_sql(ins_p, posts)
            if inter:
                conn.exec_driver_sql(ins_i, inter)
    run = store.start_run("bench")
    store.finish_run(run, True)
    users.add_user(store, "exec", "executive", password="benchmark password", leaders=["Leader 0000"])
    store.close()
    return time.perf_counter() - started


def load() -> str:
    """The 1-, 5- and 15-minute load averages (timings follow the machine's load: printed beside them)."""
    return "load average " + ", ".join(f"{v:.1f}" for v in os.getloadavg())


def cli(db: Path, *args: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the child, exit code) of ``lasna *args`` in a new process."""
    env = {**os.environ, "LASNA_DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "lasna.cli", *args], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        print(f"  ! lasna {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.returncode


def import_floor() -> tuple[float, float]:
    """(wall, CPU) of a process that only imports what the coaching commands import (Python, Typer,
    pandas, NumPy, SQLAlchemy, the store and the coaching core) and runs nothing: the part of each
    command's time that does not depend on the store."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import lasna.cli, lasna.coach_service, lasna.scoring_service"],
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


#: page -> (user, AppTest page file, title): an executive's own presence and cohort, a consultant of one cohort
PAGES = {"My presence": ("exec", None), "Sparring": ("consult", "views/sparring.py"),
         "Cohorts": ("exec", "views/cohorts.py")}


def pages(db: Path) -> dict:
    """My presence (executive), Sparring (a consultant of one cohort of 100 leaders) and Cohorts (executive)
    with scores, tips, goals and waiting conversations ON, in a dashboard process of their own (a child:
    its peak memory is the dashboard's): ``fresh`` = the first view in a new process (imports included),
    ``cold`` = the first view after a collection run (the data version moves, so every cached answer
    is stale), ``warm`` = the same view again. Server-side script time (Streamlit AppTest), the script
    thread's CPU time (what the server spends on the page) and the process's CPU time (AppTest's own
    handling of the page's messages included), each with the load average at that moment."""
    import json

    from lasna import users
    from lasna.store import Store

    store = Store.open(f"sqlite:///{db}")
    if "consult" not in {u.name for u in users.list_users(store)}:
        users.add_user(store, "consult", "consultant", password="benchmark password", cohorts=["Cohort 1"])
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LASNA_DATABASE_URL": f"sqlite:///{db}"}
    proc = subprocess.run([sys.executable, "-c", f"from benchmarks.e2e import _pages_child; _pages_child({str(db)!r})"],
                          env=env, capture_output=True, text=True, cwd=str(ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"dashboard benchmark failed: {proc.stderr.strip()[-1500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _pages_child(db: str, repeats: int = 3) -> None:
    import json
    import logging

    os.environ.update(LASNA_DATABASE_URL=f"sqlite:///{db}", LASNA_DASHBOARD_HOST="0.0.0.0",
                      LASNA_DASHBOARD_SCORES="1", LASNA_DASHBOARD_COACHING="1")
    started = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    logging.disable(logging.WARNING)  # AppTest without a server warns about every cache
    from dashboard.auth import SESSION_KEY
    from lasna.store import Store

    store = Store.open(f"sqlite:///{db}")

    def view(title: str) -> tuple[float, float, float, float]:
        """(server-side script wall s, the script thread's CPU s, the process's CPU s — AppTest's own
        handling of the page's messages included —, the 1-minute load average)."""
        user, page = PAGES[title]
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
        at.session_state["lang"] = "en"
        at.session_state[SESSION_KEY] = user
        if page:
            at.switch_page(page)
        cpu = time.process_time()
        at.run()
        cpu = time.process_time() - cpu
        assert not at.exception, at.exception
        assert at.title and at.title[0].value == title, f"{title} did not render"
        return (float(at.session_state["_lasna_render_seconds"]), float(at.session_state["_lasna_render_cpu"]), cpu,
                os.getloadavg()[0])

    def collection_run() -> None:
        from dashboard import data

        run = store.start_run("bench")
        store.finish_run(run, True)
        data.data_version.clear()  # the version is re-read at most every 10 s: a server sees the run by then

    out: dict = {"fresh": view("My presence"), "fresh incl. AppTest": time.perf_counter() - started}
    for title in PAGES:
        colds, warms = [], []
        for _ in range(repeats):
            collection_run()
            colds.append(view(title))
            warms.append(view(title))
        out[title] = {"cold": sorted(colds)[repeats // 2], "warm": sorted(warms)[repeats // 2]}
    out["peak MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def new_posts(db: Path, n: int = 1000, leaders: int = 100) -> dict[str, float]:
    """``n`` new posts over ``leaders`` leaders (half answering their latest messages): bulk store, then
    what a collection run does after storing (:func:`lasna.pipeline.after_ingest`: enrichment of what the
    batches queued, refresh of the touched weeks); then check the numbers include them. Post ids are new
    on every call, so a kept store can be measured again."""
    from lasna import facts, pipeline
    from lasna.store import Store
    from lasna.types import Platform, Post

    store = Store.open(f"sqlite:///{db}")
    now = datetime.now(UTC) - timedelta(minutes=5)
    run = f"{now:%Y%m%d%H%M%S%f}"
    accounts = store.accounts()[:leaders]
    batches = []
    for a in accounts:
        inter = store.interactions_frame([a.leader_id], since=now - timedelta(days=14))
        latest = inter.sort_values("indexed_at").tail(n // leaders // 2)
        ps = [Post(id=f"at://{a.stable_id}/new/{run}-{k}", platform=Platform.BLUESKY, author_id=a.stable_id,
                   created_at=now, indexed_at=now, text="Kiitos, hyvä kysymys — vastaan tähän.",
                   reply_parent_id=r.interaction_id, reply_root_id=r.root_id, reply_parent_author_id=r.author_id)
              for k, r in enumerate(latest.itertuples())]
        ps += [Post(id=f"at://{a.stable_id}/new-root/{run}-{k}", platform=Platform.BLUESKY, author_id=a.stable_id,
                    created_at=now, indexed_at=now, text="Mitä mieltä olette tästä?")
               for k in range(n // leaders - len(ps))]
        batches.append((a, ps))
    before = facts.score_window(store, [accounts[0].leader_id], until=now + timedelta(days=1), days=30)
    started, cpu = time.perf_counter(), time.process_time()
    for a, ps in batches:
        store.save_batch(a, posts=ps)
    stored = time.perf_counter() - started
    pipeline.after_ingest(store, [a.leader_id for a in accounts])
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = facts.score_window(store, [accounts[0].leader_id], until=now + timedelta(days=1), days=30)
    n_before = before.components.query("component == 'dialogue_share'")["n"].sum()
    n_after = after.components.query("component == 'dialogue_share'")["n"].sum()
    assert facts.is_current(store) and n_after == n_before + n // leaders, (n_before, n_after)
    store.close()
    return {"store": stored, "store + facts": total, "CPU": cpu}


def in_process_scores(db: Path, old_max: int) -> dict[str, float]:
    """Score of one 90-day window (every leader): from facts vs the old full recompute."""
    from lasna import facts, scoring_service
    from lasna.store import Store
    from lasna.window import window_end

    store = Store.open(f"sqlite:///{db}")
    until = window_end()
    t0 = time.perf_counter()
    facts.score_window(store, None, until=until, days=90)
    t_facts_all = time.perf_counter() - t0
    lid = int(store.leaders_frame()["leader_id"].iloc[0])
    t0 = time.perf_counter()
    facts.score_window(store, [lid], until=until, days=90, reference="cohort")
    t_facts_one = time.perf_counter() - t0
    n_posts = store.counts()["posts"]
    old_db = db
    if n_posts > old_max:  # a slice: the first leaders' rows up to old_max posts
        old_db = db.with_name("old-slice.db")
        shutil.copy(db, old_db)
        s2 = Store.open(f"sqlite:///{old_db}")
        keep = max(1, int(len(s2.leaders()) * old_max / n_posts))
        with s2.engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM interactions WHERE leader_id > {keep}")
            conn.exec_driver_sql(f"DELETE FROM posts WHERE leader_id > {keep}")
            conn.exec_driver_sql(f"UPDATE leaders SET active = 0 WHERE id > {keep}")
        s2.close()
    old_store = Store.open(f"sqlite:///{old_db}")
    old_n = old_store.counts()["posts"]
    t0 = time.perf_counter()
    scoring_service.score_store_full(old_store, days=90, until=until)
    t_old = time.perf_counter() - t0
    facts.rebuild(old_store) if old_db != db else None
    t0 = time.perf_counter()
    facts.score_window(old_store, None, until=until, days=90)
    t_facts_slice = time.perf_counter() - t0
    return {"facts, every leader": t_facts_all, "facts, one leader + cohort": t_facts_one,
            "old full recompute": t_old, "facts, same store as old": t_facts_slice, "old posts": old_n}


def _print_pages(db: Path) -> None:
    print("dashboard pages, scores, tips, goals and waiting on (median of 3 by wall; server-side script wall s / "
          "script thread CPU s / process CPU s incl. AppTest, 1-min load):", flush=True)

    def fig(v) -> str:
        return f"{v[0]:.2f} s / {v[1]:.2f} s CPU / {v[2]:.2f} s process CPU (load {v[3]:.1f})"

    pr = pages(db)
    print(f"  My presence, first view in a fresh process (imports included): {fig(pr['fresh'])}", flush=True)
    for title in PAGES:
        c, w = pr[title]["cold"], pr[title]["warm"]
        print(f"  {title}: cold after a collection run {fig(c)} (target <= 2 s)", flush=True)
        print(f"  {title}: warm {fig(w)} (target <= 0.3 s)", flush=True)
    print(f"  dashboard process peak memory {pr['peak MiB']:,.0f} MiB (target <= 1536); {load()}",
          flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--leaders", type=int, default=1_000)
    ap.add_argument("--quick", action="store_true", help="50,000 posts")
    ap.add_argument("--old-max", type=int, default=50_000, help="largest store the old full path is run on")
    ap.add_argument("--keep", type=Path, help="keep the store in this folder")
    ap.add_argument("--skip-dashboard", action="store_true")
    ap.add_argument("--dashboard-only", action="store_true", help="only the dashboard pages (on a kept store)")
    args = ap.parse_args(argv)
    n = 50_000 if args.quick else args.posts
    folder = args.keep or Path(tempfile.mkdtemp(prefix="lasna-e2e-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "e2e.db"
    os.environ["LASNA_DATABASE_URL"] = f"sqlite:///{db}"
    try:
        if not db.exists():
            print(f"seeding {n:,} posts of {args.leaders:,} leaders ...", flush=True)
            print(f"  seed: {seed(db, n, args.leaders):.1f} s", flush=True)
        from lasna import facts
        from lasna.store import Store

        store = Store.open(f"sqlite:///{db}")
        counts = store.counts()
        print(f"  store: {counts['posts']:,} posts, {counts['interactions']:,} interactions", flush=True)
        if not facts.is_current(store):
            t0 = time.perf_counter()
            rows = facts.rebuild(store)
            dt = time.perf_counter() - t0
            print(f"  facts rebuild (enrichment included): {dt:.1f} s, {rows:,} week rows, "
                  f"{counts['posts'] / dt:,.0f} posts/s", flush=True)
        store.close()
        if args.dashboard_only:
            _print_pages(db)
            return 0

        print("CLI as subprocesses (wall s, CPU s):", flush=True)
        wall, cpu, _ = cli(db, "version")
        print(f"  lasna version: {wall:.2f} s wall, {cpu:.2f} s CPU (target CPU <= 0.3); {load()}", flush=True)
        import_floor()  # OS caches
        wall, cpu = import_floor()
        print(f"  start-up floor (imports of the coaching commands, nothing run): {wall:.2f} s wall, {cpu:.2f} s CPU; "
              f"{load()}", flush=True)
        out = folder / "report.html"
        res = {}
        for name, cmd in (("tips", ["tips", "--leader", "Leader 0001", "--lang", "en"]),
                          ("report html", ["report", "--leader", "Leader 0001", "--format", "html", "--out", str(out)]),
                          ("score --json", ["score", "--leader", "Leader 0001", "--json"])):
            cli(db, *cmd)  # first call: model files and OS caches
            res[name] = cli(db, *cmd)
            print(f"  lasna {name}: {res[name][0]:.2f} s wall, {res[name][1]:.2f} s CPU (target <= 1 s); {load()}",
                  flush=True)

        print(f"score of one 90-day window in-process ({load()}):", flush=True)
        sc = in_process_scores(db, args.old_max)
        for k, v in sc.items():
            print(f"  {k}: {v:.2f}" + ("" if k == "old posts" else " s"), flush=True)
        ratio = sc["old full recompute"] / max(sc["facts, same store as old"], 1e-9)
        note = "" if sc["old posts"] >= counts["posts"] else f" (old path on a {int(sc['old posts']):,}-post slice)"
        print(f"  ratio old / facts on the same store: {ratio:.1f}x{note}", flush=True)

        if not args.skip_dashboard:
            _print_pages(db)

        print(f"1,000 new posts until they are in every number ({load()}):", flush=True)
        np_ = new_posts(db)
        print(f"  stored {np_['store']:.2f} s; stored + enriched + facts refreshed {np_['store + facts']:.2f} s "
              f"(target <= 2), {np_['CPU']:.2f} s CPU; {load()}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
