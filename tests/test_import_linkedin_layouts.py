"""LinkedIn export layouts seen in real archives (fixtures in tests/fixtures/linkedin/, see README there)."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from collectors.imports import import_linkedin
from collectors.imports.common import ImportReport, InvalidRows
from collectors.imports.linkedin import read_linkedin_export
from tests.sources_helpers import FIXTURES, store  # noqa: F401

LAYOUTS = FIXTURES / "linkedin"


def _posts(store):  # noqa: F811
    frame = store.posts_frame()
    return frame.set_index("post_id")


def _import(store, folder, tmp_path, *, as_zip=False):  # noqa: F811
    store.add_leader("Liisa")
    source = LAYOUTS / folder
    if as_zip:
        source = tmp_path / f"Basic_LinkedInDataExport_{folder}.zip"
        with zipfile.ZipFile(source, "w") as z:
            for path in sorted((LAYOUTS / folder).iterdir()):
                z.write(path, f"export/{path.name}")
    return import_linkedin(store, source, "Liisa")


def test_2025_backslash_escaped_comments_import_whole(store, tmp_path):  # noqa: F811
    report = _import(store, "2025", tmp_path, as_zip=True)
    assert not report.errors
    posts = _posts(store)
    comments = posts[posts.index.str.startswith("linkedin:comment:")].sort_values("created_at")
    assert list(comments.text) == [
        'As a "first-time" speaker, this is what I needed. Thank you, Anna!',
        'Kiitos! Vastaan: "hitaat muutokset" toimivat,\nkoska ne kestävät.',
        "Samaa mieltä.",
    ]
    # the second comment answers the leader's own share (percent-encoded link, same share)
    assert comments.iloc[1].reply_parent_author_id == "linkedin:member:Liisa"


def test_2025_line_wrapped_share_commentary_and_repeated_share_link(store, tmp_path):  # noqa: F811
    report = _import(store, "2025", tmp_path)
    shares = _posts(store)
    shares = shares[~shares.index.str.startswith("linkedin:comment:")]
    assert len(shares) == 2 and report.posts == 5  # the share repeated per media item is one share
    first = shares.loc["https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7290000000000000001"]
    assert first.text == 'I lost 22 kg in 22 weeks.\n\nWhat worked: "slow" changes, not willpower.\n\n#health #leadership'
    assert list(first.tags) == ["health", "leadership"]
    assert list(first.links) == [
        "https://media.licdn.com/dms/image/v2/D4D22AQ1/photo-1.jpg",
        "https://media.licdn.com/dms/image/v2/D4D22AQ2/photo-2.jpg",
    ]


def test_2021_upper_case_url_headers_and_unquoted_multiline_comments(store, tmp_path):  # noqa: F811
    report = _import(store, "2021", tmp_path)
    assert not report.errors and report.posts == 4
    posts = _posts(store)
    link_only = posts.loc["https://www.linkedin.com/feed/update/urn:li:activity:6784000000000000001/"]
    assert bool(link_only.is_repost) and link_only.repost_of_id == "https://example.org/article-on-trust"
    second = posts.loc["https://www.linkedin.com/feed/update/urn:li:activity:6784000000000000002/"]
    assert list(second.links) == ["https://example.org/second"] and not second.is_repost
    comments = posts[posts.index.str.startswith("linkedin:comment:")].sort_values("created_at")
    assert list(comments.text) == [
        "Great post!\nEspecially the part about listening, which we forget.\nMore here, https://example.org/listening\n\nThanks",
        "Lisää tästä ensi viikolla",
    ]
    assert comments.iloc[1].reply_parent_author_id == "linkedin:member:Liisa"


def test_complete_archive_utf16_tab_separated(store, tmp_path):  # noqa: F811
    report = _import(store, "complete_2017", tmp_path, as_zip=True)
    assert not report.errors and report.posts == 3
    posts = _posts(store)
    first = posts.loc["https://www.linkedin.com/feed/update/urn:li:activity:6278000000000000001/"]
    assert first.text == "Hyvää juhannusta kaikille! Kiitos keväästä." and first.lang == "fi"
    assert first.created_at.isoformat().startswith("2017-06-08T10:11:12")
    second = posts.loc["https://www.linkedin.com/feed/update/urn:li:activity:6278000000000000002/"]
    assert second.text == "Two lines,\nwith a tab-free comma" and list(second.links) == ["https://example.org/x"]
    assert any("UTF-16" in note and "tab" in note for note in report.notes)


def test_windows_1252_is_detected_not_mangled(store, tmp_path):  # noqa: F811
    report = _import(store, "cp1252", tmp_path)
    assert not report.errors
    texts = set(_posts(store).text)
    assert "Hyvää päivää! \u201cAvoimuus\u201d on tärkeää – 5 €." in texts and "Hyvää syksyä" in texts
    assert not any("\ufffd" in t for t in texts)


def test_unreadable_rows_named_by_file_line_and_layout(store, tmp_path):  # noqa: F811
    folder = tmp_path / "broken"
    shutil.copytree(LAYOUTS / "complete_2017", folder)
    data = (folder / "Shares.csv").read_bytes().decode("utf-16")
    data += "last spring\thttps://www.linkedin.com/feed/update/urn:li:activity:1/\ttext\t\t\tPUBLIC\r\n"
    (folder / "Shares.csv").write_bytes(data.encode("utf-16"))
    store.add_leader("Liisa")
    with pytest.raises(InvalidRows) as err:
        import_linkedin(store, folder, "Liisa")
    (error,) = err.value.report.errors
    assert error.file == "Shares.csv" and error.line == 5  # header 1, rows 2, 3-4 (two lines), 5
    assert "UTF-16" in str(error) and "tab-separated" in str(error)
    assert store.counts()["posts"] == 0


@pytest.mark.parametrize("folder", ["2025", "2021", "complete_2017", "cp1252"])
def test_every_layout_reads_without_replacement_characters(folder):
    report = ImportReport(leader="x", account="y")
    export = read_linkedin_export(LAYOUTS / folder, report)
    assert export.shares and export.comments and not report.errors
    for _, row in export.shares + export.comments:
        assert set(row) >= {"Date"} and not any("\ufffd" in v for v in row.values())
