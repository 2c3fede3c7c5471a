"""Report files are valid: HTML parses and has the leader and charts, the PDF opens with its pages, the CSV has
the documented columns. Also the `lasna report` command end to end."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from coaching.reports import CSV_COLUMNS, report_csv, report_html, report_pdf
from lasna.cli import main
from tests.coach_fixtures import demo_service, demo_url

REPO = Path(__file__).resolve().parents[1]
NAME = "Markku Nieminen"


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def report():
    svc = demo_service()
    if not svc.store.goals(svc.leader(NAME).id):
        svc.add_goal(NAME, "response_rate", 0.6, date(2027, 3, 31), start=date(2026, 10, 1),
                     description="Vastaa 60 % viesteistä")
    s = svc.record_session(NAME, period_start=date(2026, 10, 1), period_end=date(2026, 11, 15),
                           held_on=date(2026, 11, 20), notes="Vastaamisen rytmi", actions=("Vastaa tiistaisin",),
                           next_session=date(2026, 12, 15))
    return svc.leader_report(NAME, session_id=s.id, lang="fi")


def test_html_report_is_self_contained_with_charts(report):
    doc = report_html(report)
    p = _Collect()
    p.feed(doc)
    p.close()
    text = " ".join(p.text)
    assert NAME in text and "Tämän viikon vinkit" in text
    assert p.tags.count("svg") >= 2 and p.tags.count("polyline") >= 3
    assert p.scripts == 0 and not re.search(r'(src|href)="(?!https?://bsky|https?://example)[a-z]+://', doc)
    assert report.tips.tips[0].title in text
    assert "Vastaa tiistaisin" in text and "vaarassa" in text  # session actions and the goal status
    assert "goal_at_risk" in report.tips.keys
    assert "Tavoite vaarassa: Vastausaste" in text


def test_pdf_report_opens_and_has_its_pages(report):
    data = report_pdf(report)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    first = reader.pages[0].extract_text()
    assert NAME in first and "Avoimuus" in first
    rest = " ".join(pg.extract_text() for pg in reader.pages[1:])
    assert report.tips.tips[0].title in rest and "Vastaa tiistaisin" in rest


def test_csv_report_has_the_documented_columns(report):
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    metrics = {r["metric"]: r for r in rows}
    assert {"openness", "response_rate", "dialogue_share"} <= set(metrics)
    rr = metrics["response_rate"]
    assert float(rr["n"]) >= 10 and 0 <= float(rr["value"]) <= 1 and rr["evidence_ids"]
    assert float(rr["delta"]) == pytest.approx(float(rr["value"]) - float(rr["baseline_value"]), abs=1e-5)
    docs = (REPO / "docs" / "REPORTS.md").read_text(encoding="utf-8")
    for col in CSV_COLUMNS:
        assert f"`{col}`" in docs, f"docs/REPORTS.md does not document {col}"


@pytest.mark.parametrize("fmt", ["pdf"])  # one run end to end (each builds a service: ~8 s); renderers are tested above
def test_report_command_writes_the_file(tmp_path, capsys, fmt):
    out = tmp_path / f"r.{fmt}"
    code = main(["--database", demo_url(), "report", "--leader", "David Brooks", "--format", fmt, "--out", str(out),
                 "--lang", "en", "--today", "2026-11-22"])
    assert code == 0, capsys.readouterr()
    data = out.read_bytes()
    assert data.startswith({"html": b"<!DOCTYPE html>", "pdf": b"%PDF", "csv": b"leader,leader_id"}[fmt])
    if fmt != "pdf":
        assert "David Brooks" in data.decode("utf-8")


def test_report_command_refuses_unknown_format_and_leader(tmp_path, capsys):
    assert main(["--database", demo_url(), "report", "--leader", "David Brooks", "--format", "docx",
                 "--out", str(tmp_path / "x")]) == 2
    assert main(["--database", demo_url(), "report", "--leader", "Nobody", "--out", str(tmp_path / "x")]) == 2
