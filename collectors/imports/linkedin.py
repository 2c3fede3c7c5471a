"""LinkedIn "Get a copy of your data" archive: ``Shares.csv`` and ``Comments.csv``.

LinkedIn has no public read API for members' posts, so the leader requests their
archive (Settings & Privacy -> Data privacy -> Get a copy of your data) and we import it.

* ``Shares.csv`` (Date, ShareLink, ShareCommentary, SharedUrl, MediaUrl, Visibility):
  the leader's own posts. Shares visible only to connections are left out (Läsnä
  measures public communication) and counted as skipped.
* ``Comments.csv`` (Date, Link, Message): the leader's comments on posts; stored as
  the leader's posts that reply to ``Link``. The archive does not say whose post it
  was, so ``reply_parent_author_id`` is ``linkedin:other`` unless ``Link`` is one of
  the leader's own shares.

Quirks handled: UTF-8 with BOM, "Notes:" preambles before the header, multi-line
quoted text, doubled quotes (""), rows with more fields than the header (the extra
fields are text that contained stray delimiters), ``{hashtag|\\#|word}`` markup.
The archive is read in place (never extracted), with a per-file size cap.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from collectors.imports.common import ImportReport, RowError, ensure_account, refuse_if_invalid, write
from collectors.text import clean_text, detect_language
from lasna.errors import InputError
from lasna.store import Store, now_utc
from lasna.types import Platform, Post

MAX_MEMBER = 200 * 1024 * 1024
OTHER = "linkedin:other"
SHARES = ("Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility")
COMMENTS = ("Date", "Link", "Message")
_HASHTAG = re.compile(r"\{hashtag\|\\?#\|([^}|]{1,100})\}")
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M", "%Y-%m-%d")

csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class LinkedInExport:
    shares: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, row)
    comments: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


def _open_members(source: Path) -> dict[str, io.TextIOBase]:
    """{"shares.csv": text stream, "comments.csv": …} from a ZIP archive or an unpacked folder."""
    wanted = {"shares.csv", "comments.csv"}
    streams: dict[str, io.TextIOBase] = {}
    if source.is_dir():
        for path in sorted(source.rglob("*.csv")):
            key = path.name.lower()
            if key in wanted and key not in streams and len(path.relative_to(source).parts) <= 3:
                if path.stat().st_size > MAX_MEMBER:
                    raise InputError(f"{path} is larger than {MAX_MEMBER // 2**20} MB")
                streams[key] = open(path, encoding="utf-8-sig", errors="replace", newline="")
        return streams
    try:
        archive = zipfile.ZipFile(source)
    except FileNotFoundError:
        raise InputError(f"no such file or folder: {source}") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{source} is not a ZIP archive or a folder: {exc}") from None
    for info in archive.infolist():
        key = info.filename.rsplit("/", 1)[-1].lower()
        if key in wanted and key not in streams and not info.is_dir():
            if info.file_size > MAX_MEMBER:
                raise InputError(f"{info.filename} in {source} is larger than {MAX_MEMBER // 2**20} MB")
            raw = archive.open(info)
            streams[key] = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    return streams


def _rows(stream: io.TextIOBase, expected: tuple[str, ...], text_field: str, name: str, report: ImportReport):
    reader = csv.reader(stream)
    header: list[str] | None = None
    while header is None:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            raise InputError(f"{name} has no header row (expected {', '.join(expected)})") from None
        except csv.Error as exc:
            raise InputError(f"{name}:{start}: cannot read CSV: {exc}") from None
        cells = [c.strip() for c in row]
        if "Date" in cells:
            header = cells
    missing = [c for c in expected if c not in header and c not in ("MediaUrl", "Visibility", "SharedUrl")]
    if missing:
        raise InputError(f"{name} lacks column(s) {', '.join(missing)}", hint=f"expected {', '.join(expected)}")
    text_index = header.index(text_field)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.errors.append(RowError(start, f"broken CSV: {exc}", name))
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):  # stray delimiters inside unquoted text
            extra = len(row) - len(header)
            row = row[:text_index] + [",".join(row[text_index : text_index + extra + 1])] + row[text_index + extra + 1 :]
        yield start, dict(zip(header, row + [""] * (len(header) - len(row))))


def read_linkedin_export(source: Path, report: ImportReport) -> LinkedInExport:
    streams = _open_members(Path(source))
    if not streams:
        raise InputError(
            f"{source} contains neither Shares.csv nor Comments.csv",
            hint="request the archive with posts and comments: Settings & Privacy -> Data privacy -> Get a copy of your data",
        )
    export = LinkedInExport(found=sorted(streams))
    try:
        if "shares.csv" in streams:
            export.shares = list(_rows(streams["shares.csv"], SHARES, "ShareCommentary", "Shares.csv", report))
        if "comments.csv" in streams:
            export.comments = list(_rows(streams["comments.csv"], COMMENTS, "Message", "Comments.csv", report))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(f"{source} is damaged: {exc}", hint="download the archive again") from None
    finally:
        for stream in streams.values():
            stream.close()
    return export


def _date(value: str) -> datetime:
    value = (value or "").strip()
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        if 2003 <= parsed.year <= 2100:
            return parsed
    raise ValueError(f"unreadable Date {value[:40]!r} (expected YYYY-MM-DD HH:MM:SS)")


def _text(value: str) -> str:
    return clean_text(_HASHTAG.sub(lambda m: "#" + m.group(1), value or "").replace('\\"', '"'))


def _http(value: str) -> str | None:
    value = (value or "").strip()
    return value[:2000] if value.startswith(("https://", "http://")) else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _key(url: str) -> str:
    return unquote(url).rstrip("/").lower()


def share_to_post(row: dict[str, str], author_id: str) -> Post:
    created = _date(row.get("Date", ""))
    text = _text(row.get("ShareCommentary", ""))
    link = _http(row.get("ShareLink", ""))
    shared = _http(row.get("SharedUrl", ""))
    media = _http(row.get("MediaUrl", ""))
    if not link and not text and not shared:
        raise ValueError("a share with no link, text or shared URL")
    tags = tuple(dict.fromkeys(m.lower() for m in re.findall(r"#(\w{1,100})", text)))
    return Post(
        id=link or f"linkedin:share:{_digest(row.get('Date', ''), text, shared or '')}",
        platform=Platform.LINKEDIN,
        author_id=author_id,
        created_at=created,
        text=text,
        lang=detect_language(text),
        url=link,
        is_repost=not text and bool(shared),
        repost_of_id=shared if not text and shared else None,
        links=tuple(l for l in (shared, media) if l),
        tags=tags,
    )


def comment_to_post(row: dict[str, str], author_id: str, own_links: set[str]) -> Post:
    created = _date(row.get("Date", ""))
    text = _text(row.get("Message", ""))
    link = _http(row.get("Link", ""))
    if not text:
        raise ValueError("a comment without a Message")
    return Post(
        id=f"linkedin:comment:{_digest(row.get('Date', ''), row.get('Link', ''), text)}",
        platform=Platform.LINKEDIN,
        author_id=author_id,
        created_at=created,
        text=text,
        lang=detect_language(text),
        url=link,
        reply_parent_id=link or OTHER,
        reply_parent_author_id=author_id if link and _key(link) in own_links else OTHER,
    )


def import_linkedin(store: Store, source: Path, leader_name: str, *, skip_invalid: bool = False) -> ImportReport:
    leader = store.leader(leader_name)
    report = ImportReport(leader=leader.name, account="linkedin-export")
    export = read_linkedin_export(Path(source), report)
    author_id = f"linkedin:member:{leader.name}"
    posts: list[Post] = []
    for line, row in export.shares:
        if "CONNECTION" in (row.get("Visibility") or "").upper():
            report.skipped += 1
            continue
        try:
            posts.append(share_to_post(row, author_id))
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc), "Shares.csv"))
    own = {_key(p.url) for p in posts if p.url}
    for line, row in export.comments:
        try:
            posts.append(comment_to_post(row, author_id, own))
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc), "Comments.csv"))
    report.posts = len(posts)
    if report.skipped:
        report.notes.append(f"left out {report.skipped} share(s) visible to connections only")
    refuse_if_invalid(report, skip_invalid, str(source))
    account = ensure_account(store, leader, Platform.LINKEDIN, "linkedin-export")
    if account.stable_id is None:
        store.set_account_identity(account.id, author_id)
        account = ensure_account(store, leader, Platform.LINKEDIN, "linkedin-export")
    newest = max((p.created_at for p in posts), default=None)
    write(store, account, report, posts, [], {
        "last_import": now_utc().isoformat(),
        "newest_in_archive": newest.isoformat() if newest else None,
        "files": ",".join(export.found),
    })
    return report
