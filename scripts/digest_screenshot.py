#!/usr/bin/env python3
"""Render a digest on the demo data and take a screenshot of its HTML part with headless Chromium
(docs/img/digest-*.png). Usage: .venv/bin/python scripts/digest_screenshot.py [--lang fi|en] [--role executive|consultant]"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lasna import users
from lasna.coach_service import CoachService
from lasna.demo import load_demo
from lasna.notify import jobs, render
from lasna.notify.hours import iso_week, programme_timezone
from lasna.store import Store

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="fi", choices=["fi", "en"])
    ap.add_argument("--role", default="executive", choices=["executive", "consultant"])
    ap.add_argument("--leader", default="Markku Nieminen")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lasna-digest-"))
    try:
        store = Store.open(f"sqlite:///{folder / 'demo.db'}")
        today = datetime(2026, 11, 22, 12, tzinfo=UTC)
        load_demo(store, today=today)
        now = today + timedelta(days=1)
        if args.role == "executive":
            user = users.add_user(store, "Markku", "executive", email="markku@example.org", leaders=[args.leader])
        else:
            user = users.add_user(store, "Kaisa", "consultant", email="kaisa@example.org",
                                  cohorts=["Julkisjohtajat 2025–2026"])
        svc = CoachService(store, today=now)
        if args.role == "executive":  # a goal, so that the digest shows one
            svc.add_goal(args.leader, "response_rate", 0.5, datetime(2027, 2, 28).date(),
                         start=datetime(2026, 10, 1).date(), created_by="Kaisa")
        week = iso_week(now, programme_timezone())
        if args.role == "executive":
            data = jobs.executive_digest(svc, user, user.leader_id, args.lang, week)
            out = render.render_executive(data, args.lang, "https://lasna.example.org")
        else:
            visible = jobs.visible_leader_ids(store, user, svc.leaders)
            data = jobs.consultant_digest(svc, user, sorted(visible), week, now.date())
            out = render.render_consultant(data, args.lang, "https://lasna.example.org")
        page = folder / "digest.html"
        page.write_text(out.html, encoding="utf-8")
        target = args.out or ROOT / "docs" / "img" / f"digest-{args.role}-{args.lang}.png"
        chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={target}", "--window-size=680,1320", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        print(f"{target} ({len(out.html)} bytes of HTML, {len(out.text)} of text)")
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
