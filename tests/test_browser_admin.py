"""Issue #15: the admin's walk-through after the nightly run, in a real headless Chromium, on a desktop
and on a 390 px phone, in Finnish and English. The admin adds a leader whose feed is served by a loopback
HTTP server this test starts (no internet), sees the new account "waiting for the first collection",
starts a collection for that one leader and watches its progress and outcome, gets a Finnish error in the
Finnish UI for an invalid account, stops following with a confirmation, and opens the audit log.
Screenshots go to a temporary folder (or $LASNA_UX_SCREENSHOTS), like tests/test_browser_ux.py."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from dashboard.i18n import error_text, t
from lasna import registry
from lasna.errors import LasnaError
from tests import dashboard_seed as seed
from tests.sources_helpers import LoopServer
from tests.test_browser import CHROMIUM_ARGS, _browser_or_skip, _heading, _login, _start, _stop

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FEED_POSTS = 3
FEED_DELAY = 3.0  # seconds the loopback feed takes to answer: long enough to see the progress
VIEWPORTS = {"desktop": dict(viewport={"width": 1280, "height": 900}),
             "phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)}
BAD_HANDLE = "not a handle!!"


def _rss(title: str, slug: str) -> bytes:
    """A small blog feed; ``slug`` keeps each feed's posts its own (post ids come from the guids)."""
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>{title} {i}</title><link>https://blog.example.fi/{slug}/{i}</link>"
        f"<guid>https://blog.example.fi/{slug}/{i}</guid><pubDate>{format_datetime(now - timedelta(days=2 * i + 1))}</pubDate>"
        f"<description>Kirjoitus {i}: miten vastaamme kysymyksiin?</description></item>"
        for i in range(FEED_POSTS))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://blog.example.fi/</link><description>blog</description>{items}</channel></rss>").encode()


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    sync_playwright, chromium = _browser_or_skip()
    feeds = LoopServer()

    def slow_feed(h) -> None:
        time.sleep(FEED_DELAY)
        body = _rss("Blogi", h.path.strip("/").split(".")[0])
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    feeds.fallback = slow_feed  # every /feed-<case>.xml path answers with a small blog feed of its own
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-admin') / 'browser.db'}"
    seed.seed(url).close()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LASNA_ALLOW_PRIVATE_URLS", "1")  # the loopback feed is a private address
        proc, base, log = _start(tmp_path_factory, url)
    yield base, url, feeds, sync_playwright, chromium
    _stop(proc, log)
    feeds.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("LASNA_UX_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the window to the content."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
                           ".map(e => e.scrollHeight), document.body.scrollHeight)")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def _open_page(page, key: str, lang: str, phone: bool) -> None:
    """Through the sidebar navigation (on a phone the sidebar opens from its button first)."""
    link = page.get_by_role("link", name=t(f"nav.{key}", lang)).first
    if phone:  # the sidebar is folded away at 390 px: open it from the header's button
        opener = page.locator("[data-testid=stExpandSidebarButton]").first
        if opener.count() and opener.is_visible():
            opener.click()
        page.wait_for_function("(el) => { const r = el.getBoundingClientRect(); return r.left >= 0 && r.right <= 390; }",
                               arg=link.element_handle(), timeout=30_000)
    link.click()
    _heading(page, t(f"{key}.title", lang))
    sidebar = page.locator("[data-testid=stSidebar]")
    if phone and sidebar.get_attribute("data-collapsed") == "false":  # fold it away again, as on a phone
        sidebar.hover()
        page.locator("[data-testid=stSidebarCollapseButton] button, [data-testid=stSidebarCollapseButton]") \
            .first.click()
        page.wait_for_selector("[data-testid=stSidebar][data-collapsed=true]", state="attached", timeout=30_000)
        page.wait_for_timeout(500)  # the slide-out animation


def _body(page) -> str:
    return " ".join(page.locator("[data-testid=stMain]").inner_text().split())


def _wait_text(page, text: str, timeout: int = 60_000) -> None:
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)


def _select(page, label: str, option: str) -> None:
    """Pick from a selectbox by typing, as on a phone (a long list is virtualised: off-screen options
    are not in the page until scrolled to)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def _add_form(page, lang: str):
    form = page.locator("[data-testid=stForm]").filter(has=page.get_by_role("button", name=t("manage.add_button", lang)))
    form.first.wait_for(timeout=30_000)
    return form.first


@pytest.mark.parametrize("lang,device", [("fi", "desktop"), ("en", "desktop"), ("fi", "phone"), ("en", "phone")])
def test_admin_after_the_nightly_run(admin_server, shots, lang, device):
    base, url, feeds, sync_playwright, chromium = admin_server
    phone = device == "phone"
    name = f"Testi Johtaja {lang} {device}"
    feed = feeds.url(f"/feed-{lang}-{device}.xml")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(**VIEWPORTS[device])
        page.set_default_timeout(60_000)
        try:
            _login(page, base, "ada", lang)
            _heading(page, t("presence.title", lang))
            _open_page(page, "health", lang, phone)
            _heading(page, t("manage.title", lang))

            # 1. add a leader with a feed on a loopback server: the new account waits for its first collection
            form = _add_form(page, lang)
            form.get_by_label(t("manage.name", lang), exact=True).fill(name)
            form.get_by_label(t("manage.feed", lang), exact=True).fill(feed)
            form.get_by_role("button", name=t("manage.add_button", lang)).click()
            _wait_text(page, t("manage.added", lang).format(name=name))
            pending = re.compile(t("health.first_pending", lang).replace("{n}", r"\d+").replace("(", r"\(")
                                 .replace(")", r"\)"))
            page.get_by_text(pending).first.wait_for()
            _shot(page, shots / f"admin-health-new-account-{device}-{lang}.png")

            # 2. collect that one leader: the progress while the (slow) feed answers, then the outcome
            _select(page, t("collect.scope", lang), name)
            page.get_by_role("button", name=t("collect.start", lang)).click()
            running = t("collect.running", lang).split("(")[0].strip()  # "Kerätään" / "Collecting"
            page.get_by_text(re.compile(re.escape(running) + r" \(" + re.escape(name) + r"\)")).first.wait_for(
                timeout=30_000)
            assert page.get_by_role("progressbar").count() >= 1
            page.screenshot(path=str(shots / f"admin-collect-progress-{device}-{lang}.png"))
            done = t("collect.done", lang).split("(")[0].strip()  # "Keräys valmis" / "Collection finished"
            outcome = page.get_by_text(re.compile(re.escape(done) + r" \(" + re.escape(name))).first
            outcome.wait_for(timeout=120_000)
            text = " ".join(outcome.inner_text().split())
            n_posts = f"{FEED_POSTS} " + ("uutta julkaisua" if lang == "fi" else "new posts")
            assert n_posts in text, text
            assert ("1 tiliä, 0 epäonnistui" if lang == "fi" else "1 accounts, 0 failed") in text, text
            # the account no longer waits: the notice about first collections is gone for it
            page.wait_for_timeout(2500)  # the page reloads its figures after the run
            assert not page.get_by_text(pending).count() or "1" not in page.get_by_text(pending).first.inner_text()
            _shot(page, shots / f"admin-collect-done-{device}-{lang}.png")

            # 3. an invalid account: the error in the UI's language (Finnish in the Finnish UI)
            form = _add_form(page, lang)
            form.get_by_label(t("manage.name", lang), exact=True).fill(name + " B")
            form.get_by_label(t("manage.bluesky", lang), exact=True).fill(BAD_HANDLE)
            form.get_by_role("button", name=t("manage.add_button", lang)).click()
            with pytest.raises(LasnaError) as expected:
                registry.LeaderSpec.parse(name + " B", language="fi", bluesky=BAD_HANDLE)
            message = error_text(expected.value, lang)
            alert = page.locator("[data-testid=stAlertContentError]").filter(has_text=message.split(":")[0])
            alert.first.wait_for(timeout=30_000)
            shown = " ".join(alert.first.inner_text().split())
            if lang == "fi":
                assert shown.startswith("Virheellinen Bluesky-tunnus") and "malformed" not in shown, shown
            else:
                assert "malformed Bluesky handle" in shown, shown
            page.screenshot(path=str(shots / f"admin-add-error-{device}-{lang}.png"))

            # 4. stop following: the button asks first; cancel keeps, yes stops
            page.get_by_role("tab", name=t("manage.remove", lang)).click()
            _select(page, t("leader.label", lang), name)
            page.get_by_role("button", name=t("manage.remove_leader", lang)).click()
            confirm = t("manage.confirm_stop", lang).format(name=name)
            _wait_text(page, confirm.split("?")[0])
            page.screenshot(path=str(shots / f"admin-stop-confirm-{device}-{lang}.png"))
            page.get_by_role("button", name=t("manage.confirm_no", lang)).click()
            page.get_by_text(confirm.split("?")[0]).first.wait_for(state="detached", timeout=30_000)
            assert _still_following(url, name)
            page.get_by_role("tab", name=t("manage.remove", lang)).click()
            _select(page, t("leader.label", lang), name)
            page.get_by_role("button", name=t("manage.remove_leader", lang)).click()
            page.get_by_role("button", name=t("manage.confirm_yes", lang)).click()
            _wait_text(page, t("manage.removed", lang))
            assert not _still_following(url, name)

            # 5. the audit log: translated headings, the admin's own changes listed
            _open_page(page, "audit", lang, phone)
            _wait_text(page, t("audit.caption", lang)[:30])
            grid = page.locator("[data-testid=stDataFrame]").first
            grid.wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
            headers = " ".join(grid.locator("[role=columnheader]").all_inner_texts())
            for key in ("col.time", "col.actor", "col.action"):
                assert t(key, lang) in headers, headers
            cells = " ".join(grid.locator("[role=gridcell]").all_inner_texts())
            assert "ada" in cells and "leader.remove" in cells, cells[:500]
            _shot(page, shots / f"admin-audit-{device}-{lang}.png")
        finally:
            browser.close()


def _still_following(url: str, name: str) -> bool:
    from lasna.store import Store

    store = Store.open(url)
    try:
        return any(ld.name == name for ld in store.leaders())
    finally:
        store.close()
