"""Issue #15 item 1 in a real headless Chromium: a local login survives a reload (HttpOnly,
SameSite=Strict session cookie), sign-out and a password change end it, and a deep link opened
before the login lands on the requested page after it. Also the DNS-rebinding probe of issue #13
item 1 in the browser: Chromium resolves an attacker's name to 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from dashboard.i18n import t
from lasna.store import Store
from tests import dashboard_seed as seed
from test_browser import CHROMIUM_ARGS, _browser_or_skip, _heading, _start, _stop

pytestmark = [pytest.mark.security, pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sync_playwright, chromium = _browser_or_skip()
    url = f"sqlite:///{tmp_path_factory.mktemp('session') / 'session.db'}"
    seed.seed(url).close()
    proc, base, log = _start(tmp_path_factory, url)
    yield base, url, sync_playwright, chromium
    _stop(proc, log)


def _session_cookie(context, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == "lasna_session"]
        if found:
            return found[0]
        time.sleep(0.25)
    return None


def _fill_login(page, user: str, lang: str = "en"):
    _heading(page, t("auth.login_title", lang))
    page.get_by_label(t("auth.username", lang)).fill(user)
    page.get_by_label(t("auth.password", lang), exact=True).fill(seed.PASSWORD)
    page.get_by_role("button", name=t("auth.login_button", lang)).click()


def _headings(page) -> list[str]:
    return [h.inner_text() for h in page.get_by_role("heading").all()]


def test_login_survives_a_reload_and_sign_out_ends_it(server):
    base, _url, sync_playwright, chromium = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(f"{base}/?lang=en")
            _fill_login(page, "ada")
            _heading(page, t("presence.title", "en"))
            cookie = _session_cookie(context)
            assert cookie is not None, "the session cookie was not set"
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
            assert page.evaluate("document.cookie").find("lasna_session") == -1  # not readable by scripts
            page.reload()
            _heading(page, t("presence.title", "en"))
            assert t("auth.login_title", "en") not in _headings(page)
            # a second tab of the same browser is signed in too
            other = context.new_page()
            other.goto(f"{base}/cohorts?lang=en")
            _heading(other, t("cohorts.title", "en"))
            other.close()
            page.get_by_role("button", name=t("auth.logout", "en")).click()
            _heading(page, t("auth.login_title", "en"))
            page.reload()
            _heading(page, t("auth.login_title", "en"))
            # the old cookie value, replayed, is dead even if a browser kept it
            context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": base}])
            page.goto(f"{base}/?lang=en")
            _heading(page, t("auth.login_title", "en"))
            assert t("presence.title", "en") not in _headings(page)
        finally:
            browser.close()


def test_a_password_change_signs_the_browser_out(server):
    base, url, sync_playwright, chromium = server
    from lasna import users

    store = Store.open(url)
    users.add_user(store, "temp_admin", "admin", password=seed.PASSWORD)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(f"{base}/?lang=en")
            _fill_login(page, "temp_admin")
            _heading(page, t("presence.title", "en"))
            assert _session_cookie(context) is not None
            users.set_password(store, "temp_admin", "a brand new password")
            page.reload()
            _heading(page, t("auth.login_title", "en"))
        finally:
            browser.close()
            users.remove_user(store, "temp_admin")
            store.close()


@pytest.mark.parametrize("path, heading", [
    (f"/sparring?leader={seed.CONSULTANT_LEADER.replace(' ', '+')}", "sparring.title"),
    ("/cohorts", "cohorts.title"),
])
def test_a_deep_link_lands_on_its_page_after_login(server, path, heading):
    base, _url, sync_playwright, chromium = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        try:
            sep = "&" if "?" in path else "?"
            page.goto(f"{base}{path}{sep}lang=en")
            _fill_login(page, "conny")
            _heading(page, t(heading, "en"))
            assert path.split("?")[0] in page.url
            if "leader=" in path:
                assert page.get_by_role("combobox", name=t("leader.label", "en")).first.input_value() \
                    == seed.CONSULTANT_LEADER or seed.CONSULTANT_LEADER in page.locator("body").inner_text()
        finally:
            browser.close()


def test_dns_rebinding_in_the_browser_gets_no_demo(tmp_path_factory):
    """A page on attacker.example (resolved by Chromium to 127.0.0.1, as after DNS rebinding)
    loads the dashboard of a userless store bound to loopback: it gets no data."""
    sync_playwright, chromium = _browser_or_skip()
    from lasna.demo import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('rebind') / 'demo.db'}"
    load_demo(Store.open(url))
    proc, base, log = _start(tmp_path_factory, url)
    port = base.rsplit(":", 1)[1]
    args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP attacker.example 127.0.0.1"]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=args)
            page = browser.new_page()
            try:
                page.goto(f"http://attacker.example:{port}/?lang=en")
                page.get_by_text(t("auth.demo_local_only", "en").split(".")[0]).first.wait_for(timeout=30_000)
                body = page.locator("body").inner_text()
                assert "Markku Nieminen" not in body and t("presence.title", "en") not in _headings(page)
                page.goto(f"{base}/?lang=en")  # the same server on its loopback name: the demo
                _heading(page, t("presence.title", "en"))
            finally:
                browser.close()
    finally:
        _stop(proc, log)
