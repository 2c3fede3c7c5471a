"""Issue #15 walk-throughs in a real headless Chromium, in Finnish and English: the executive on a
390 px phone sees who is waiting (the message itself, on screen) and readable charts; the consultant
on a desktop sets a goal typed "0,8", records a session and downloads the PDF. Screenshots go to a
temporary folder (or $LASNA_UX_SCREENSHOTS)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from dashboard.i18n import t
from tests import dashboard_seed as seed
from tests.test_browser import CHROMIUM_ARGS, _browser_or_skip, _heading, _login, _start, _stop

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def ux_server(tmp_path_factory):
    sync_playwright, chromium = _browser_or_skip()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-ux') / 'browser.db'}"
    seed.seed(url).close()
    proc, base, log = _start(tmp_path_factory, url)
    yield base, url, sync_playwright, chromium
    _stop(proc, log)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("LASNA_UX_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _tall_screenshot(page, path: Path, width: int) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the window to the content."""
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
                           ".map(e => e.scrollHeight), document.body.scrollHeight)")
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(1200)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def _waiting_text(url: str) -> str:
    """The newest message waiting for the executive's answer (what the first card must show)."""
    from lasna.coach_service import CoachService
    from lasna.store import Store

    waiting = CoachService(Store.open(url)).waiting(seed.EXEC_LEADER)
    assert len(waiting), "the seed leaves messages waiting for the executive"
    first = waiting.sort_values("indexed_at", ascending=False).iloc[0]
    return " ".join(str(first["text"]).split())


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_executive_on_a_390px_phone_sees_the_waiting_message(ux_server, shots, lang):
    base, url, sync_playwright, chromium = ux_server
    message = _waiting_text(url)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
        try:
            _login(page, base, "eero", lang)
            _heading(page, t("presence.title", lang))
            _heading(page, t("waiting.title", lang))
            page.wait_for_timeout(1500)
            page.screenshot(path=str(shots / f"executive-phone-first-screen-{lang}.png"))  # what opens first
            card_text = page.get_by_text(message[:60]).first
            card_text.wait_for(timeout=60_000)
            card_text.scroll_into_view_if_needed()
            box = card_text.bounding_box()
            assert card_text.is_visible() and box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1  # on screen, not inside a wide grid
            button = page.get_by_role("link", name=t("waiting.open", lang)).first
            button_box = button.bounding_box()
            assert button.is_visible() and button_box["x"] + button_box["width"] <= 391
            page.wait_for_timeout(1000)
            # charts: no Plotly toolbar over the title, the legend below the plot
            assert page.locator(".modebar-container .modebar").count() == 0 or \
                not page.locator(".modebar").first.is_visible()
            legend = page.locator("g.legend").first
            plot = page.locator("g.cartesianlayer").first
            if legend.count() and plot.count():
                assert legend.bounding_box()["y"] >= plot.bounding_box()["y"] + plot.bounding_box()["height"] - 2
            _tall_screenshot(page, shots / f"executive-phone-{lang}.png", 390)
        finally:
            browser.close()


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_consultant_sets_a_goal_records_a_session_and_downloads_the_pdf(ux_server, shots, lang, tmp_path):
    from pypdf import PdfReader

    base, url, sync_playwright, chromium = ux_server
    typed = "0,8" if lang == "fi" else "0.8"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        try:
            _login(page, base, "conny", lang)
            page.get_by_role("link", name=t("nav.sparring", lang)).first.click()
            _heading(page, t("sparring.title", lang))
            page.get_by_role("combobox", name=t("leader.label", lang), exact=True).click()
            page.get_by_role("option", name=seed.CONSULTANT_LEADER).click()
            page.wait_for_function("() => new URLSearchParams(location.search).get('leader') === %r"
                                   % seed.CONSULTANT_LEADER, timeout=30_000)
            _heading(page, t("goals.title", lang))  # coaching is ready
            # set a goal: response rate, typed with the Finnish decimal comma
            page.get_by_text(t("goals.add", lang), exact=True).click()
            target = page.get_by_role("textbox", name=t("goals.target", lang) + " (%)")
            target.wait_for(timeout=30_000)
            target.fill(typed)
            target.press("Enter")
            page.get_by_text(t("goals.will_save", lang).format(value="80\u00a0%" if lang == "fi" else "80%")) \
                .wait_for(timeout=30_000)
            page.get_by_role("button", name=t("goals.save", lang)).click()
            page.get_by_text(t("goals.saved", lang)).wait_for(timeout=30_000)
            page.wait_for_timeout(800)
            _tall_screenshot(page, shots / f"consultant-goal-{lang}.png", 1280)
            # record a session
            record = page.get_by_text(t("session.record", lang), exact=True)
            if not page.get_by_role("textbox", name=t("session.notes", lang)).is_visible():
                record.click()
            page.get_by_role("textbox", name=t("session.notes", lang)).fill("Rytmi ja vastaaminen" if lang == "fi" else "Rhythm")
            action = "Vastaa kolmeen kysymykseen" if lang == "fi" else "Answer three questions"
            page.get_by_role("textbox", name=t("session.actions", lang)).fill(action)
            page.get_by_role("button", name=t("session.save", lang)).click()
            page.get_by_text(t("session.saved", lang)).wait_for(timeout=30_000)
            # the save reruns the page: a click on the download button of the run being replaced is lost,
            # so wait until the app is idle (Streamlit shows its status widget only while running)
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                   timeout=60_000)
            page.wait_for_timeout(500)
            # download the PDF (the newest session is included by default)
            with page.expect_download(timeout=120_000) as info:
                page.get_by_role("button", name=t("report.pdf", lang)).click()
            pdf = tmp_path / "report.pdf"
            info.value.save_as(pdf)
            _tall_screenshot(page, shots / f"consultant-sparring-{lang}.png", 1280)
        finally:
            browser.close()
    pages = [" ".join(pg.extract_text().split()) for pg in PdfReader(io.BytesIO(pdf.read_bytes())).pages]
    assert seed.CONSULTANT_LEADER in pages[0] and action in pages[0]  # last session's actions on page 1
    assert ("80 %" if lang == "fi" else "80%") in " ".join(pages)  # the goal as typed: 80 %, not 800 %
    assert "800" not in " ".join(pages)
