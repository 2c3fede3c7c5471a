"""Issue #13 item 4: reports carry only http(s) links (HTML and PDF) and no spreadsheet formulas
(CSV). The probe: a Mastodon reply whose URL is ``javascript:…`` became ten live links in the
HTML report, and a leader named ``=HYPERLINK(…)`` became a formula in the CSV."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from coaching.reports import csv_cell, report_csv, report_html, report_pdf, safe_url
from tests.coach_fixtures import demo_service

pytestmark = pytest.mark.security

HOSTILE_URLS = [
    "javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "javascript&colon;alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "//evil.example/x", "/relative/path", "file:///etc/passwd", "http:alert(1)", "https://ok.example/\u0000x",
]
FORMULAS = ['=HYPERLINK("http://evil.example","klik")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
            "\t=1+1", "\r=1+1"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                self.urls.append(value or "")


@pytest.fixture(scope="module")
def base_report():
    svc = demo_service()
    return svc.leader_report("Markku Nieminen", lang="fi")


def _hostile(report):
    """The report with every link replaced by hostile ones (evidence of each tip, conversations waiting)."""
    n = len(HOSTILE_URLS)
    tips = tuple(
        dataclasses.replace(tip, evidence=tuple(dataclasses.replace(e, url=HOSTILE_URLS[(i + j) % n])
                                                for j, e in enumerate(tip.evidence)))
        for i, tip in enumerate(report.tips.tips)
    )
    waiting = report.waiting.copy()
    waiting["url"] = [HOSTILE_URLS[i % n] for i in range(len(waiting))]
    return dataclasses.replace(report, tips=dataclasses.replace(report.tips, tips=tips), waiting=waiting)


def test_html_report_has_only_http_links(base_report):
    report = _hostile(base_report)
    assert sum(len(t.evidence) for t in report.tips.tips) + len(report.waiting) >= 5  # the probe has links
    doc = report_html(report)
    parser = _Links()
    parser.feed(doc)
    assert parser.urls == [u for u in parser.urls if re.match(r"https?://[^\s/]", u)]
    low = doc.lower()
    for bad in ("javascript:", "vbscript:", "data:text", "file://"):
        assert bad not in low
    # a good link still is one
    good = dataclasses.replace(base_report, waiting=base_report.waiting.assign(url="https://mastodon.example/@x/1"))
    assert 'href="https://mastodon.example/@x/1"' in report_html(good) or good.waiting.empty


def test_pdf_report_prints_no_hostile_link(base_report):
    pdf = report_pdf(_hostile(base_report))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).lower()
    assert "javascript" not in text and "vbscript" not in text and "data:text" not in text
    assert b"/URI" not in pdf or not re.search(rb"/URI\s*\((?!https?://)", pdf)


@pytest.mark.parametrize("dialect", ["standard", "excel-fi"])
@pytest.mark.parametrize("name", FORMULAS)
def test_csv_report_neutralises_formulas(base_report, name, dialect):
    text = report_csv(dataclasses.replace(base_report, leader=name), dialect).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if dialect == "excel-fi" else ","))
    assert len(rows) > 2
    for row in rows[1:]:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert re.fullmatch(r"[+-]?\d+([.,]\d*)?([eE][+-]?\d+)?|[+-]?inf", cell), cell
        assert row[0] == "'" + name.replace("\r", "\n")  # kept readable, just not executable (CR: a quoted LF)


def test_numbers_stay_numbers():
    assert csv_cell("-0.05") == "-0.05" and csv_cell("-1,5") == "-1,5" and csv_cell("+3") == "+3"
    assert csv_cell("-") == "'-" and csv_cell("-x") == "'-x" and csv_cell(3) == 3


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_safe_url_refuses(url):
    assert safe_url(url) is None


def test_safe_url_keeps_web_links():
    for url in ("https://bsky.app/profile/x/post/1", "http://example.fi/a?b=c#d", "HTTPS://EXAMPLE.FI/"):
        assert safe_url(url) == url
