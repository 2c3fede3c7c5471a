"""LinkedIn data-export import: CSV quirks, ZIP and folder, re-import, CLI."""

from __future__ import annotations

import zipfile

import pytest

from collectors.imports import import_linkedin
from collectors.imports.common import InvalidRows
from lasna.cli import main
from lasna.errors import InputError, NotFoundError
from lasna.types import Platform
from tests.sources_helpers import store  # noqa: F401

SHARES = (
    "\ufeffDate,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\r\n"
    '2025-10-01 08:15:02,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7111111111111111111/,"Kiitos kaikille eilisestä!\r\n'
    "\r\n"
    'Kysyitte paljon ""avoimuudesta"" – vastaan kaikkiin tällä viikolla. {hashtag|\\#|johtaminen}",,,MEMBER_NETWORK\r\n'
    '2025-10-05 12:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7222222222222222222/,"We published our open strategy, read it here:",https://example.com/strategy,,PUBLIC\r\n'
    "2025-10-06 09:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7333333333333333333/,,https://example.com/reshared,,MEMBER_NETWORK\r\n"
    '2025-10-07 09:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7444444444444444444/,"Vain kontakteille",,,CONNECTIONS\r\n'
)
COMMENTS = (
    "Date,Link,Message\n"
    '2025-10-01 10:00:00,https://www.linkedin.com/feed/update/urn:li:share:7111111111111111111/,"Hyvä kysymys, Matti! Vastaus: kyllä, ""heti""."\n'
    '2025-10-02 11:30:00,https://www.linkedin.com/feed/update/urn:li:activity:7999999999999999999/,"Congratulations on the launch,\nwell deserved!"\n'
)


def write_export(folder, shares=SHARES, comments=COMMENTS, *, as_zip=True):
    if as_zip:
        path = folder / "Basic_LinkedInDataExport_11-05-2025.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("Shares.csv", shares.encode("utf-8"))
            z.writestr("Comments.csv", comments.encode("utf-8"))
            z.writestr("Profile.csv", "First Name,Last Name\nLiisa,Lehtinen\n")
        return path
    folder.mkdir(exist_ok=True)
    (folder / "Shares.csv").write_bytes(shares.encode("utf-8"))
    (folder / "Comments.csv").write_bytes(comments.encode("utf-8"))
    return folder


def test_shares_and_comments_with_quoting_quirks(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    report = import_linkedin(store, write_export(tmp_path), "Liisa")
    assert report.new_posts == 5 and report.skipped == 1 and not report.errors
    posts = store.posts_frame().set_index("post_id")
    first = posts.loc["https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7111111111111111111/"]
    assert first.text == 'Kiitos kaikille eilisestä!\n\nKysyitte paljon "avoimuudesta" – vastaan kaikkiin tällä viikolla. #johtaminen'
    assert list(first.tags) == ["johtaminen"] and first.lang == "fi"
    assert first.created_at.isoformat().startswith("2025-10-01T08:15:02")
    reshare = posts.loc["https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7333333333333333333/"]
    assert bool(reshare.is_repost) and reshare.repost_of_id == "https://example.com/reshared"
    comments = posts[posts.index.str.startswith("linkedin:comment:")].sort_values("created_at")
    assert list(comments.text) == ['Hyvä kysymys, Matti! Vastaus: kyllä, "heti".', "Congratulations on the launch,\nwell deserved!"]
    # a comment under the leader's own share is a reply in their own thread; the other is to someone else
    assert list(comments.reply_parent_author_id) == ["linkedin:member:Liisa", "linkedin:other"]
    assert comments.iloc[1].reply_parent_id.endswith("urn:li:activity:7999999999999999999/")
    assert "Vain kontakteille" not in set(posts.text)
    account = store.accounts(platform=Platform.LINKEDIN)[0]
    assert account.handle == "linkedin-export" and account.stable_id == "linkedin:member:Liisa"


def test_reimport_of_newer_export_adds_only_new(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    import_linkedin(store, write_export(tmp_path / "a", as_zip=False), "Liisa")
    newer = SHARES + '2025-11-01 07:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7555555555555555555/,"Uusi postaus",,,PUBLIC\r\n'
    report = import_linkedin(store, write_export(tmp_path, shares=newer), "Liisa")
    assert report.posts == 6 and report.new_posts == 1
    assert len(store.accounts(platform=Platform.LINKEDIN)) == 1


def test_stray_delimiters_and_notes_preamble(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    shares = ("Notes:\nThis file contains your shares\n\nDate,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
              "2025-10-01 08:00:00,https://www.linkedin.com/feed/update/urn:li:share:1/,Hei, tämä, on pilkuilla,,,PUBLIC\n")
    report = import_linkedin(store, write_export(tmp_path, shares=shares, comments="Date,Link,Message\n"), "Liisa")
    assert report.new_posts == 1
    assert store.posts_frame().text.iloc[0] == "Hei, tämä, on pilkuilla"


def test_invalid_rows_refused_unless_skip_invalid(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    bad = SHARES + "not a date,https://www.linkedin.com/feed/update/x/,text,,,PUBLIC\r\n"
    path = write_export(tmp_path, shares=bad)
    with pytest.raises(InvalidRows) as err:
        import_linkedin(store, path, "Liisa")
    assert err.value.report.errors[0].file == "Shares.csv" and err.value.report.errors[0].line == 8  # the first share spans lines 2-4
    assert store.counts()["posts"] == 0
    report = import_linkedin(store, path, "Liisa", skip_invalid=True)
    assert report.new_posts == 5 and len(report.errors) == 1


@pytest.mark.parametrize("content,match", [(b"not a zip", "not a ZIP"), (None, "neither Shares.csv nor Comments.csv")])
def test_bad_archives(store, tmp_path, content, match):  # noqa: F811
    store.add_leader("Liisa")
    path = tmp_path / "x.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("Profile.csv", "a,b\n")
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=match):
        import_linkedin(store, path, "Liisa")


def test_missing_columns_named(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    with pytest.raises(InputError, match="lacks column"):
        import_linkedin(store, write_export(tmp_path, shares="Date,Foo\n2025-01-01 00:00:00,x\n"), "Liisa")


def test_unknown_leader(store, tmp_path):  # noqa: F811
    with pytest.raises(NotFoundError):
        import_linkedin(store, write_export(tmp_path), "Nobody")


def test_cli(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["--database", db, "leaders", "add", "Liisa"]) == 0
    path = write_export(tmp_path)
    assert main(["--database", db, "import", "linkedin", str(path), "--leader", "Liisa"]) == 0
    assert "5 post(s) (5 new)" in capsys.readouterr().out
    assert main(["--database", db, "import", "linkedin", str(path), "--leader", "Liisa"]) == 0
    assert "(0 new)" in capsys.readouterr().out
    assert main(["--database", db, "import", "linkedin", str(path), "--leader", "Nobody"]) == 2


def test_damaged_zip_member_is_an_input_error(store, tmp_path):  # noqa: F811
    store.add_leader("Liisa")
    path = write_export(tmp_path)
    data = bytearray(path.read_bytes())
    start = data.find(b"2025-10-05")  # Shares.csv is stored uncompressed: corrupt its bytes -> CRC error
    data[start : start + 10] = b"XXXXXXXXXX"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="damaged"):
        import_linkedin(store, path, "Liisa")
    assert store.counts()["posts"] == 0
