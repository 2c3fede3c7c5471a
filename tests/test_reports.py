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


def _pdf_pages(report) -> list[str]:
    return [" ".join(pg.extract_text().split()) for pg in PdfReader(io.BytesIO(report_pdf(report))).pages]


def test_pdf_report_opens_and_has_its_pages(report):
    pages = _pdf_pages(report)
    assert len(pages) >= 3
    first = pages[0]
    assert NAME in first and "Avoimuus" in first
    rest = " ".join(pages[1:])
    assert report.tips.tips[0].title in rest and "Vastaa tiistaisin" in rest


def test_pdf_page_one_is_a_summary_to_hand_over(report):
    first = _pdf_pages(report)[0]
    for d in report.composites:  # the four scores, each with its change
        assert d.name in first
    assert len(re.findall(r"muutos (?:[+−]\d+|±0|–)", first)) == 4
    assert "vertailuryhmässä" in first or "kaikkien seurattujen" in first  # the reference group is named
    for tip in report.tips.tips[:3]:  # this week's three tips
        assert " ".join(tip.title.split()) in first
    assert f"{len(report.waiting)} viestiä odottaa vastausta" in first and "vanhin on odottanut" in first
    assert "Viime tapaamisessa" in first and "Vastaa tiistaisin" in first  # last session's agreed actions


def test_pdf_text_reads_as_finnish_prose(report):
    pages = _pdf_pages(report)
    text = " ".join(pages)
    assert "->" not in text and "→" in text
    assert "(Vertailu " not in text  # no capitalised column name mid-sentence
    assert "Vertailee jaksoa 1.10.2026 – 15.11.2026 vertailujaksoon" in text  # the session names its periods
    assert "18.5.2026" in pages[1] or re.search(r"\d{1,2}\.\d{1,2}\.20\d\d", pages[1])  # a dated axis


def test_pdf_keeps_finnish_and_other_scripts_and_names_emoji(report):
    from dataclasses import replace

    waiting = report.waiting.copy()
    waiting.loc[waiting.index[0], "text"] = "Äänestä: Кириллица ελληνικά 🎉👍🏽 valmis"
    waiting.loc[waiting.index[0], "age_hours"] = waiting["age_hours"].max() + 1
    first = _pdf_pages(replace(report, waiting=waiting.sort_values("age_hours", ascending=False)))[0]
    assert "Äänestä: Кириллица ελληνικά" in first and "valmis" in first
    assert "🎉" not in first and "□" not in first
    assert "[party popper] [thumbs up medium skin tone] valmis" in first


def test_pdf_leaves_out_a_week_that_is_not_over(report):
    from coaching.reports import complete_weeks, partial_week

    last = report.weekly.sort_values("week").iloc[-1]
    assert (last["bucket_end"] - last["bucket"]) < 7 * 24 * 3600 * 10**9  # the demo's "today" is a Sunday noon
    assert partial_week(report) == last["week"]
    assert complete_weeks(report)["week"].max() < last["week"]
    assert "ei ole mukana, koska se on vielä kesken" in _pdf_pages(report)[1]


def test_pdf_text_fallback_for_glyphs_the_fonts_lack():
    from coaching.reports import pdf_text

    assert pdf_text("Kiitos 🙏🏽 paljon!") == "Kiitos [folded hands medium skin tone] paljon!"
    assert pdf_text("Hyvä 🇫🇮 joukkue") == "Hyvä [flag: Finland] joukkue"
    assert pdf_text("中文 ok") == "中文 ok"  # Noto Sans CJK from PyPI draws it
    assert pdf_text("नमस्ते ok") == "[Devanagari] ok"  # no font here: a marker naming the script
    assert pdf_text("a ไทย नमस्ते b") == "a [Thai] [Devanagari] b"
    assert pdf_text("Ääkköset → ja – ok ☺") == "Ääkköset → ja – ok ☺"  # DejaVu draws ☺ itself
    for s in ("😀 👍 🙏🏽 🇫🇮 👨‍👩‍👧 中文 مرحبا नमस्ते ไทย", "\U0010fffd", "\ue000"):
        assert "□" not in pdf_text(s) and pdf_text(s).strip()


def _fonts(pdf_bytes: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_pdf_draws_names_in_every_script_with_fonts_from_pypi(report):
    """Finnish, emoji, CJK and Arabic names in the report data: every name comes out of the PDF as text (no □,
    nothing dropped), CJK through the Noto Sans CJK fallback font, Arabic shaped (joined, right to left)."""
    import unicodedata
    from dataclasses import replace

    names = {"fi": "Äijälä Öhman", "emoji": "Sanna 🌟", "cjk": "山田太郎", "ko": "김민준", "ar": "محمد علي"}
    waiting = report.waiting.head(4).copy()
    waiting["author"] = [names["fi"], names["emoji"], names["cjk"] + " " + names["ko"], names["ar"]]
    waiting["age_hours"] = [40.0, 30.0, 20.0, 10.0]
    special = replace(report, leader="Ääkkönen 山田 محمد", waiting=waiting)
    pdf = report_pdf(special)
    pages = [pg.extract_text() for pg in PdfReader(io.BytesIO(pdf)).pages]
    # pypdf reads the CJK fallback font's runs with a NUL before each glyph (its own quirk: the font's
    # ToUnicode map is right, and PDFium extracts "山田太郎" clean); drop them before comparing
    text = " ".join(pages).replace("\x00", "")
    flat = "".join(text.split())
    assert "□" not in text
    assert names["fi"] in text and "Ääkkönen" in text
    assert "Sanna [glowing star]" in text
    assert names["cjk"] in flat and names["ko"] in flat and "山田" in flat
    # Arabic: every letter is in the text layer (as its presentation form, in visual order once shaped)
    arabic = unicodedata.normalize("NFKC", text)
    assert all(ch in arabic for ch in "محمدعلي")
    fonts = _fonts(pdf)
    assert any("DejaVu" in f for f in fonts) and any("Noto" in f and "CJK" in f for f in fonts), fonts
    # a report without such names stays lean: no CJK font embedded
    assert not any("CJK" in f for f in _fonts(report_pdf(report)))


def test_csv_report_has_the_documented_columns(report):
    rows = list(csv.DictReader(io.StringIO(report_csv(report, "standard"))))
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


def test_finnish_csv_opens_in_finnish_excel(report):
    text = report_csv(report)  # a Finnish report: the excel-fi dialect
    assert text.startswith("\ufeffleader;leader_id;")
    raw = text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert list(rows[0]) == list(CSV_COLUMNS)
    rr = {r["metric"]: r for r in rows}["response_rate"]
    assert "," in rr["value"] and "." not in rr["value"]  # decimal comma
    assert float(rr["value"].replace(",", ".")) == pytest.approx(report.current["response_rate"].value, rel=1e-4)
    assert rr["period_start"] == report.period[0].isoformat()  # dates stay ISO
    assert "\r\n" in text
    english = report_csv(report, "standard")
    assert not english.startswith("\ufeff") and english.startswith("leader,leader_id,")
    docs = (REPO / "docs" / "REPORTS.md").read_text(encoding="utf-8")
    assert "semicolon" in docs and "byte-order mark" in docs


def test_report_all_writes_one_file_per_leader(tmp_path, capsys):
    from lasna.store import Store

    out = tmp_path / "programme-day"
    code = main(["--database", demo_url(), "report", "--all", "--out-dir", str(out), "--format", "csv",
                 "--lang", "fi", "--today", "2026-11-22"])
    assert code == 0, capsys.readouterr()
    names = {leader.name for leader in Store.open(demo_url()).leaders()}
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == len(names) and "lasna-markku-nieminen-fi.csv" in files
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbfleader;") for p in out.iterdir())
    assert main(["--database", demo_url(), "report", "--all", "--format", "csv"]) == 2  # needs --out-dir
    assert "--out-dir" in capsys.readouterr().err
    assert main(["--database", demo_url(), "report", "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 2
