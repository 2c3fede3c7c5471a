"""Issue #15: a deep link followed through single sign-on lands on the requested page, in a real headless
Chromium against a real OpenID Connect round trip: `lasna dashboard` with an ``[auth]`` section pointing
at a loopback provider (tests/oidc_provider.py). The sign-in leaves the app (provider, then Streamlit's
callback, which always lands on "/"), so the page asked for rides in a short-lived cookie."""

from __future__ import annotations

import time
from urllib.parse import quote_plus

import pytest

from dashboard.i18n import t
from lasna import users
from lasna.store import Store
from tests import dashboard_seed as seed
from tests.oidc_provider import OIDCProvider
from tests.test_browser import CHROMIUM_ARGS, _browser_or_skip, _free_port, _heading, _start, _stop

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CONSULTANT_EMAIL = "conny@example.com"


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory):
    sync_playwright, chromium = _browser_or_skip()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-sso') / 'browser.db'}"
    store = seed.seed(url)
    users.add_user(store, "conny-sso", "consultant", leaders=[seed.CONSULTANT_LEADER], email=CONSULTANT_EMAIL)
    store.close()
    provider = OIDCProvider({"email": "eero@example.com", "email_verified": True})
    port = _free_port()
    cwd = tmp_path_factory.mktemp("sso-cwd")  # Streamlit reads .streamlit/secrets.toml from its folder
    (cwd / ".streamlit").mkdir()
    (cwd / ".streamlit" / "secrets.toml").write_text(provider.secrets_toml(f"http://127.0.0.1:{port}/oauth2callback"))
    proc, base, log = _start(tmp_path_factory, url, port=port, cwd=cwd)
    yield base, url, provider, sync_playwright, chromium, log
    _stop(proc, log)
    provider.close()


def _cookie(context, name: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == name]
        if found:
            return found[0]
        time.sleep(0.25)
    return None


def _gone(context, name: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [c for c in context.cookies() if c["name"] == name]:
            return True
        time.sleep(0.25)
    return False


def _sign_in_through_sso(page, context, url: str, provider) -> None:
    page.goto(url)
    page.get_by_text(t("auth.sso_intro", "en")[:40]).first.wait_for(timeout=60_000)
    button = page.get_by_role("button", name=t("auth.sso_button", "en"))
    button.wait_for(timeout=30_000)
    # the page asked for (and the language) is kept for the round trip
    assert _cookie(context, "lasna_next") is not None
    before = len(provider.requests)
    button.click()
    deadline = time.monotonic() + 60
    while "/token" not in provider.requests[before:] and time.monotonic() < deadline:
        page.wait_for_timeout(250)  # the browser goes to the provider, back to the callback, then to "/"
    assert "/authorize" in provider.requests[before:] and "/token" in provider.requests[before:]
    page.wait_for_url(lambda u: "/oauth2callback" not in u and "/auth/" not in u, timeout=60_000)


@pytest.mark.parametrize("who,path,heading", [
    ("consultant", f"/sparring?leader={quote_plus(seed.CONSULTANT_LEADER)}&lang=en", "sparring.title"),
    ("executive", "/cohorts?lang=en", "cohorts.title"),
    ("executive", "/?lang=en", "presence.title"),  # no deep link: the default page, still in English
])
def test_a_deep_link_lands_on_its_page_after_single_sign_on(sso_server, who, path, heading):
    base, url, provider, sync_playwright, chromium, log = sso_server
    provider.claims = {"email": CONSULTANT_EMAIL if who == "consultant" else "eero@example.com",
                       "email_verified": True}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            _sign_in_through_sso(page, context, base + path, provider)
            try:
                _heading(page, t(heading, "en"))
            except Exception:
                log.seek(0)
                raise AssertionError(f"did not land on {heading}; url {page.url}\n{log.read()[-3000:]}") from None
            if who == "consultant":
                page.wait_for_function("() => new URLSearchParams(location.search).get('leader') === %r"
                                       % seed.CONSULTANT_LEADER, timeout=30_000)
                assert page.get_by_role("combobox", name=t("leader.label", "en"), exact=True) \
                    .input_value() == seed.CONSULTANT_LEADER
            assert _gone(context, "lasna_next"), "the deep-link cookie is used once and cleared"
            # a reload stays on the page (Streamlit's own SSO cookie) and does not jump anywhere else
            page.reload()
            _heading(page, t(heading, "en"))
        finally:
            browser.close()


def test_the_executive_deep_link_to_someone_else_is_still_refused(sso_server):
    base, url, provider, sync_playwright, chromium, log = sso_server
    provider.claims = {"email": "eero@example.com", "email_verified": True}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        try:
            _sign_in_through_sso(page, context, f"{base}/sparring?leader={quote_plus(seed.OTHER_LEADER)}&lang=en",
                                 provider)
            _heading(page, t("presence.title", "en"))  # executives have no Sparring page: the default page
            page.wait_for_timeout(1500)
            assert seed.OTHER_LEADER not in page.locator("body").inner_text()
        finally:
            browser.close()
    assert Store.open(url).leader(seed.OTHER_LEADER)  # (the leader exists: the refusal is about access)
