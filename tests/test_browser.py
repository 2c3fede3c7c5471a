"""The dashboard in a real headless Chromium: `lasna dashboard` as a subprocess on a free
loopback port, a seeded SQLite file with local users, login through the form, every page in
both languages. Screenshots go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.i18n import t
from tests import dashboard_seed as seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _browser_or_skip():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (scripts/test installs it)")
        pytest.skip(f"{CHROMIUM} not installed (Debian package chromium); set CI=1 to make this a failure")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the playwright Python package is missing (pip install -e '.[test]')")
        pytest.skip("the playwright Python package is not installed")
    return sync_playwright, CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path_factory, url: str, host: str = "127.0.0.1", *, port: int | None = None, cwd: Path = ROOT):
    """`lasna dashboard` on a free port (or ``port``), run in ``cwd`` (Streamlit reads
    ``.streamlit/secrets.toml`` there); returns (process, base URL on loopback, log file)."""
    db = url.removeprefix("sqlite:///")
    port = port or _free_port()
    env = {**os.environ, "LASNA_DATABASE_URL": url, "PYTHONPATH": str(ROOT), "LASNA_CONFIG": str(db) + ".toml"}
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lasna.cli", "dashboard", "--host", host, "--port", str(port)],
        cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/_stcore/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                proc.kill()
                pytest.fail(f"dashboard did not start:\n{log.read()}")
            time.sleep(0.5)
    return proc, base, log


def _stop(proc, log) -> None:
    proc.terminate()  # `lasna dashboard` forwards SIGTERM to the Streamlit server
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sync_playwright, chromium = _browser_or_skip()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    seed.seed(url).close()
    proc, base, log = _start(tmp_path_factory, url)
    yield base, sync_playwright, chromium
    _stop(proc, log)


def _heading(page, text: str):
    page.get_by_role("heading", name=text, exact=True).first.wait_for(timeout=30_000)


def _login(page, base: str, user: str, lang: str, query: str = ""):
    page.goto(f"{base}/?lang={lang}{query}")
    _heading(page, t("auth.login_title", lang))
    page.get_by_label(t("auth.username", lang)).fill(user)
    page.get_by_label(t("auth.password", lang), exact=True).fill(seed.PASSWORD)
    page.get_by_role("button", name=t("auth.login_button", lang)).click()


def _switch_language(page, lang: str, current: str):
    page.get_by_role("combobox", name=t("lang.label", current), exact=True).click()
    page.get_by_role("option", name={"fi": "Suomi", "en": "English"}[lang]).click()


def test_consultant_logs_in_and_opens_every_page_in_both_languages(server):
    base, sync_playwright, chromium = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            _login(page, base, "conny", "fi")
            for lang in ("fi", "en"):
                if lang == "en":
                    _switch_language(page, "en", "fi")
                for key in ("presence", "sparring", "cohorts", "health"):
                    page.get_by_role("link", name=t(f"nav.{key}", lang)).first.click()
                    _heading(page, t(f"{key}.title", lang))
                    page.wait_for_timeout(800)  # let charts and tables draw
                    page.screenshot(path=str(ARTIFACTS / f"consultant-{key}-{lang}.png"), full_page=True)
            assert "lang=en" in page.url
        finally:
            browser.close()


def test_executive_on_a_phone_sees_only_their_pages_and_no_one_else(server):
    base, sync_playwright, chromium = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
        try:
            _login(page, base, "eero", "en")
            _heading(page, t("presence.title", "en"))
            _heading(page, t("waiting.title", "en"))
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "executive-presence-phone-en.png"), full_page=True)
            body = page.locator("body").inner_text()
            assert seed.EXEC_LEADER in body and seed.OTHER_LEADER not in body
            assert t("nav.sparring", "en") not in body and t("nav.health", "en") not in body
            # a new browser (no session cookie) logs in again, asking for someone else
            page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
            _login(page, base, "eero", "en", query="&leader=" + seed.OTHER_LEADER.replace(" ", "+"))
            _heading(page, t("presence.title", "en"))
            page.get_by_text(t("access.leader_denied", "en")).wait_for(timeout=30_000)
            assert seed.OTHER_LEADER not in page.locator("body").inner_text()
        finally:
            browser.close()


def test_wrong_password_is_refused(server):
    base, sync_playwright, chromium = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            page.goto(f"{base}/?lang=en")
            _heading(page, t("auth.login_title", "en"))
            page.get_by_label(t("auth.username", "en")).fill("ada")
            page.get_by_label(t("auth.password", "en"), exact=True).fill("not the password")
            page.get_by_role("button", name=t("auth.login_button", "en")).click()
            page.get_by_text(t("auth.failed", "en")).wait_for(timeout=30_000)
            assert t("presence.title", "en") not in [h.inner_text() for h in page.get_by_role("heading").all()]
        finally:
            browser.close()


def test_without_users_a_public_bind_shows_nothing_and_loopback_shows_the_demo(tmp_path_factory):
    sync_playwright, chromium = _browser_or_skip()
    from lasna.demo import load_demo
    from lasna.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('nousers') / 'demo.db'}"
    load_demo(Store.open(url))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            for host, expected in (("0.0.0.0", t("auth.no_users", "en")), ("127.0.0.1", t("demo.local_banner", "en"))):
                proc, base, log = _start(tmp_path_factory, url, host)
                try:
                    page.goto(f"{base}/?lang=en")
                    page.get_by_text(expected.split("`")[0].strip()).first.wait_for(timeout=30_000)
                    body = page.locator("body").inner_text()
                    if host == "0.0.0.0":
                        assert "Markku Nieminen" not in body and t("presence.title", "en") not in body
                    else:
                        _heading(page, t("presence.title", "en"))
                        # the default page also answers at its own name (a bookmark, a link in an e-mail)
                        page.goto(f"{base}/presence?lang=en")
                        _heading(page, t("presence.title", "en"))
                        page.wait_for_timeout(1500)
                        assert page.get_by_text("Page not found").count() == 0
                finally:
                    _stop(proc, log)
        finally:
            browser.close()
