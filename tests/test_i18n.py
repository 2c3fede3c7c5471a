"""Every UI string exists in Finnish and English, and pages carry no hard-coded labels."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dashboard.i18n import STRINGS, fmt_age, md_escape, t

DASHBOARD = Path(__file__).parents[1] / "dashboard"
UI_FILES = sorted((DASHBOARD / "views").glob("*.py")) + [DASHBOARD / "app.py", DASHBOARD / "auth.py",
                                                          DASHBOARD / "coaching_ui.py", DASHBOARD / "widgets.py"]
# Streamlit calls whose first argument (or label=) is shown to people
LABELLED = {
    "title", "header", "subheader", "markdown", "write", "caption", "text", "info", "warning", "error", "success",
    "metric", "button", "link_button", "selectbox", "multiselect", "select_slider", "slider", "radio", "checkbox",
    "text_input", "number_input", "text_area", "date_input", "download_button", "form_submit_button", "tabs", "expander", "toast", "Page",
    "TextColumn", "LinkColumn", "DatetimeColumn", "CheckboxColumn", "ProgressColumn", "NumberColumn",
}


def test_every_key_has_finnish_and_english():
    for key, entry in STRINGS.items():
        assert set(entry) == {"fi", "en"}, key
        assert entry["fi"].strip() and entry["en"].strip(), key
        assert set(re.findall(r"{\w+}", entry["fi"])) == set(re.findall(r"{\w+}", entry["en"])), key


def _used_keys() -> set[str]:
    keys = set()
    for path in [*UI_FILES, DASHBOARD / "charts.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    keys.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):  # f"kind.{k}": check the prefix exists
                    prefix = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
                    assert any(k.startswith(prefix) for k in STRINGS), prefix
    return keys


def test_every_key_used_exists():
    missing = _used_keys() - set(STRINGS)
    assert not missing


def _literal_labels(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name not in LABELLED:
            continue
        receiver = getattr(node.func, "value", None)
        if isinstance(receiver, ast.Name) and receiver.id in ("log", "logger", "logging"):
            continue  # a server log line, not something a user reads
        candidates = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in ("label", "title", "body")]
        for arg in candidates:
            strings = [arg] if isinstance(arg, ast.Constant) else []
            if isinstance(arg, ast.List):
                strings = [e for e in arg.elts if isinstance(e, ast.Constant)]
            for s in strings:
                if isinstance(s.value, str) and re.search(r"[A-Za-zÄÖäö]{2,}", s.value) and not s.value.startswith("views/"):
                    found.append(f"{path.name}:{s.lineno}: {name}({s.value!r})")
    return found


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.name)
def test_no_hard_coded_labels(path):
    assert _literal_labels(path) == []


def test_the_scanner_finds_a_hard_coded_label(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('import streamlit as st\nst.title("My presence")\nst.button(label="Save")\nst.tabs(["A tab"])\n')
    assert len(_literal_labels(bad)) == 3


def test_md_escape_makes_markdown_and_html_literal():
    assert md_escape("**bold**") == r"\*\*bold\*\*"
    assert md_escape("<script>") == r"\<script\>"
    assert md_escape("[x](javascript:y)") == r"\[x\]\(javascript\:y\)"
    assert md_escape("Aino Korhonen") == "Aino Korhonen"


def test_babel_formats_by_language():
    from datetime import timedelta

    assert fmt_age(timedelta(days=3), "en") == "3 days"
    assert fmt_age(timedelta(days=3), "fi") == "3 päivää"
    assert t("nav.presence", "fi") == "Oma läsnäolo"


def test_charts_speak_the_language():
    import pandas as pd

    from dashboard import charts

    activity = pd.DataFrame({"leader": ["A"] * 2, "week": pd.to_datetime(["2026-11-02", "2026-11-09"]),
                             "kind": ["post", "reply"], "count": [3, 1]})
    fi = charts.weekly_posts(activity, "fi")
    assert fi.layout.xaxis.tickformat == "%-d.%-m.%Y" and fi.layout.title.text == "Julkaisut viikoittain"
    assert {trace.name for trace in fi.data} == {"Oma julkaisu", "Vastaus muille"}
    assert charts.weekly_posts(activity, "en").layout.xaxis.title.text == "Week"
