"""Refresh the README/docs screenshots (docs/img/*.png) from the seeded test store in headless Chromium.

    .venv/bin/python scripts/readme_screenshots.py [--out docs/img]

Needs the test extras (playwright) and the Debian chromium package. Uses the same seed and server start
as tests/test_browser.py; writes executive.png, tips.png, sparring.png, sparring-sessions.png, health.png, report.png.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from dashboard.i18n import t  # noqa: E402
from tests import dashboard_seed as seed  # noqa: E402
from tests.test_browser import CHROMIUM_ARGS, _browser_or_skip, _heading, _login  # noqa: E402

LEADER = "Emma Clarke"


class _Factory:  # the bit of pytest's tmp_path_factory that _start uses
    def __init__(self, root: Path):
        self.root = root

    def mktemp(self, name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=name, dir=self.root))
        return path


def main() -> int:
    from tests.test_browser import _start, _stop

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    sync_playwright, chromium = _browser_or_skip()
    work = Path(tempfile.mkdtemp(prefix="lasna-shots-"))
    url = f"sqlite:///{work / 'shots.db'}"
    seed.seed(url).close()
    proc, base, log = _start(_Factory(work), url)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            _login(page, base, "eero", "en")
            _heading(page, t("presence.title", "en"))
            _heading(page, t("tips.title", "en"))
            page.get_by_role("button", name=t("tips.done", "en")).first.wait_for(timeout=120_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "executive.png"))
            page.get_by_role("heading", name=t("tips.title", "en")).first.scroll_into_view_if_needed()
            page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollBy(0, 200)")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / "tips.png"))
            page.get_by_role("button", name=t("auth.logout", "en")).click()

            _login(page, base, "conny", "en")
            page.get_by_role("link", name=t("nav.sparring", "en")).first.click()
            _heading(page, t("sparring.title", "en"))
            page.get_by_role("combobox", name=t("leader.label", "en"), exact=True).click()
            page.get_by_role("option", name=LEADER).click()
            page.wait_for_function("() => new URLSearchParams(location.search).get('leader') === %r" % LEADER)
            _heading(page, t("goals.title", "en"))
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "sparring.png"))
            page.get_by_text(t("goals.add", "en"), exact=True).click()
            target = page.get_by_role("textbox", name=t("goals.target", "en") + " (%)")
            target.fill("0.8")
            target.press("Enter")
            page.get_by_role("button", name=t("goals.save", "en")).click()
            page.get_by_text(t("goals.saved", "en")).wait_for(timeout=30_000)
            notes = page.get_by_role("textbox", name=t("session.notes", "en"))
            if not notes.is_visible():
                page.get_by_text(t("session.record", "en"), exact=True).click()
            notes.fill("Rhythm is good; answers lag behind on Fridays.")
            page.get_by_role("textbox", name=t("session.actions", "en")).fill(
                "Post every Tuesday morning\nAnswer the three newest questions each Friday")
            page.get_by_role("button", name=t("session.save", "en")).click()
            page.get_by_text(t("session.saved", "en")).wait_for(timeout=30_000)
            page.get_by_role("heading", name=t("session.history", "en")).first.scroll_into_view_if_needed()
            page.wait_for_timeout(1200)
            page.screenshot(path=str(out / "sparring-sessions.png"))
            page.get_by_role("button", name=t("auth.logout", "en")).click()

            _login(page, base, "ada", "en")  # the admin after the nightly run: Collection health
            page.get_by_role("link", name=t("nav.health", "en")).first.click()
            _heading(page, t("health.title", "en"))
            _heading(page, t("collect.title", "en"))
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "health.png"))

            from coaching.reports import report_html
            from lasna.coach_service import CoachService
            from lasna.store import Store

            svc = CoachService(Store.open(url))
            last = svc.session_history(LEADER)[-1]
            html = work / "report.html"
            html.write_text(report_html(svc.leader_report(LEADER, session_id=last.id, lang="en")), encoding="utf-8")
            page.set_viewport_size({"width": 1000, "height": 1300})
            page.goto(html.as_uri())
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / "report.png"))
            browser.close()
    finally:
        _stop(proc, log)
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
