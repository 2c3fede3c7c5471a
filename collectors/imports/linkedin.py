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

Layouts recognised (fixtures in tests/fixtures/linkedin/): the 2025 Basic export (``\\"``
quote escapes in Comments.csv; multi-line ShareCommentary with every line wrapped in quotes),
the 2021 export (``SharedURL``/``MediaURL`` headers; unquoted multi-line comments whose
continuation lines carry no date), the older "Complete" archive (UTF-16, tab-separated,
``Share Commentary`` headers, ``2017/06/08 10:11:12 UTC`` dates) and files re-saved in
Windows-1252/Latin-1. Also: BOMs, "Notes:" preambles, doubled quotes, stray delimiters in
unquoted text, ``{hashtag|\\#|word}`` markup, one share repeated per media item. Errors name
the file, the line and the recognised layout. The archive is read in place (never
extracted), with a per-file size cap.
"""

from __future__ import annotations

import codecs
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
#: header spellings across layouts (``SharedURL``, ``Share Commentary``, ``shared_url``) -> canonical name
_CANONICAL = {c.lower(): c for c in SHARES + COMMENTS}
_HASHTAG = re.compile(r"\{hashtag\|\\?#\|([^}|]{1,100})\}")
_LINKEDIN_URL = re.compile(r"^https?://([a-z]{2,3}\.)?(www\.)?linkedin\.com/", re.IGNORECASE)
_DATE_START = re.compile(r"^\s*\d{4}[-/]\d{1,2}[-/]\d{1,2}")
_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M",
    "%Y-%m-%d", "%Y/%m/%d %H:%M:%S UTC", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
)
_ESCAPED_QUOTE = "\ue000"  # stands in for a backslash-escaped quote while the CSV is split

csv.field_size_limit(10 * 1024 * 1024)


@dataclass
class LinkedInExport:
    shares: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, row)
    comments: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)  # "Shares.csv" -> recognised layout


@dataclass(frozen=True)
class Layout:
    """How one CSV file of an export is written; recognised from its bytes and header."""

    encoding: str
    delimiter: str
    backslash_quotes: bool
    header_style: str

    def __str__(self) -> str:
        parts = [self.encoding, "tab-separated" if self.delimiter == "\t" else "comma-separated"]
        if self.backslash_quotes:
            parts.append('\\" quote escapes')
        parts.append(self.header_style)
        era = (
            "'Complete' archive layout" if self.delimiter == "\t"
            else "2025 layout" if self.backslash_quotes
            else "2021 layout" if "URL" in self.header_style
            else "Basic export layout"
        )
        return f"{era}: {', '.join(parts)}"


def _canonical(cell: str) -> str:
    key = re.sub(r"[\s_]+", "", cell.strip().strip('"')).lower()
    return _CANONICAL.get(key, cell.strip())


def _open_members(source: Path) -> dict[str, bytes]:
    """{"shares.csv": bytes, "comments.csv": …} from a ZIP archive or an unpacked folder."""
    wanted = {"shares.csv", "comments.csv"}
    members: dict[str, bytes] = {}
    if source.is_dir():
        for path in sorted(source.rglob("*.csv")):
            key = path.name.lower()
            if key in wanted and key not in members and len(path.relative_to(source).parts) <= 3:
                if path.stat().st_size > MAX_MEMBER:
                    raise InputError(f"{path} is larger than {MAX_MEMBER // 2**20} MB")
                members[key] = path.read_bytes()
        return members
    try:
        archive = zipfile.ZipFile(source)
    except FileNotFoundError:
        raise InputError(f"no such file or folder: {source}") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{source} is not a ZIP archive or a folder: {exc}") from None
    with archive:
        for info in archive.infolist():
            key = info.filename.rsplit("/", 1)[-1].lower()
            if key in wanted and key not in members and not info.is_dir():
                if info.file_size > MAX_MEMBER:
                    raise InputError(f"{info.filename} in {source} is larger than {MAX_MEMBER // 2**20} MB")
                try:
                    with archive.open(info) as raw:
                        members[key] = raw.read(MAX_MEMBER + 1)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    raise InputError(f"{source} is damaged: {exc}", hint="download the archive again") from None
                if len(members[key]) > MAX_MEMBER:
                    raise InputError(f"{info.filename} in {source} is larger than {MAX_MEMBER // 2**20} MB")
    return members


def _decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was written in: BOMs, UTF-16 without BOM, UTF-8, else Windows-1252/Latin-1."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "UTF-8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace"), "UTF-16"
    sample = raw[:4096]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):  # UTF-16 without a BOM
        little = sample[1::2].count(0) > sample[0::2].count(0)
        return raw.decode("utf-16-le" if little else "utf-16-be", errors="replace"), "UTF-16"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def _unwrap_lines(text: str) -> str:
    """Undo the per-line quote wrapping of multi-line ShareCommentary (first line ends with ``"``,
    middle lines are ``"…"``, the last starts with ``"``; quotes inside are doubled)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) < 2:
        return text
    first, middle, last = lines[0], lines[1:-1], lines[-1]
    wrapped = (
        first.endswith('"') and last.startswith('"')
        and all(len(m) >= 2 and m.startswith('"') and m.endswith('"') for m in middle)
    )
    if not wrapped:
        return text
    if first.startswith('"') and not first.startswith('""') and last.endswith('"') and len(last) > 1:
        first, last = first[1:], last[:-1]  # every line wrapped, the first and last included
    parts = [first[:-1], *(m[1:-1] for m in middle), last[1:]]
    return "\n".join(p.replace('""', '"') for p in parts)


def _rows(raw: bytes, expected: tuple[str, ...], text_field: str, name: str, report: ImportReport):
    text, encoding = _decode(raw)
    lines = text.splitlines()
    header_at = None
    for number, line in enumerate(lines[:50]):
        delimiter = "\t" if "\t" in line else ","
        if any(_canonical(c) == "Date" for c in line.split(delimiter)):
            header_at = number
            break
    if header_at is None:
        raise InputError(f"{name} has no header row (expected {', '.join(expected)}; read as {encoding})")
    backslash = '\\"' in text
    if backslash:
        text = text.replace('\\"', _ESCAPED_QUOTE)
    body = text.split("\n", header_at)[-1] if header_at else text
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    raw_header = next(reader)
    header = [_canonical(c) for c in raw_header]
    styles = [c.strip() for c in raw_header if _canonical(c) in ("SharedUrl", "MediaUrl", text_field)]
    layout = Layout(encoding, delimiter, backslash, "headers " + "/".join(styles) if styles else "headers")
    report.notes.append(f"{name}: {layout}")
    missing = [c for c in expected if c not in header and c not in ("MediaUrl", "Visibility", "SharedUrl")]
    if missing:
        raise InputError(f"{name} lacks column(s) {', '.join(missing)} ({layout})", hint=f"expected {', '.join(expected)}")
    text_index = header.index(text_field)
    link_index = header.index("ShareLink" if "ShareLink" in header else "Link") if ("ShareLink" in header or "Link" in header) else None
    offset = header_at  # physical lines before the header

    def is_record(row: list[str]) -> bool:
        """A new record starts with a date, or at least carries a link where the link belongs."""
        if row and _DATE_START.match(row[0]):
            return True
        return link_index is not None and len(row) > link_index and bool(_LINKEDIN_URL.match(row[link_index].strip()))

    def finish(start: int, cells: list[str]):
        if len(cells) > len(header):  # stray delimiters inside unquoted text
            extra = len(cells) - len(header)
            cells = cells[:text_index] + [delimiter.join(cells[text_index : text_index + extra + 1])] + cells[text_index + extra + 1 :]
        row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        row = {k: v.replace(_ESCAPED_QUOTE, '"') for k, v in row.items()}
        if row.get(text_field):
            row[text_field] = _unwrap_lines(row[text_field])
        return start, row, str(layout)

    current: tuple[int, list[str]] | None = None
    blank = 0
    while True:
        start = offset + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.errors.append(RowError(start, f"broken CSV: {exc} ({layout})", name))
            continue
        if not any(cell.strip() for cell in row):
            blank += 1
            continue
        if current is not None and not is_record(row):
            # a continuation line of an unquoted multi-line text (2021 layout): it has no date
            cells = current[1]
            cells[-1] += "\n" * (blank + 1) + row[0]
            cells.extend(row[1:])
            blank = 0
            continue
        blank = 0
        if current is not None:
            yield finish(*current)
        current = (start, list(row))
    if current is not None:
        yield finish(*current)


def read_linkedin_export(source: Path, report: ImportReport) -> LinkedInExport:
    members = _open_members(Path(source))
    if not members:
        raise InputError(
            f"{source} contains neither Shares.csv nor Comments.csv",
            hint="request the archive with posts and comments: Settings & Privacy -> Data privacy -> Get a copy of your data",
        )
    export = LinkedInExport(found=sorted(members))
    for key, expected, text_field, name, target in (
        ("shares.csv", SHARES, "ShareCommentary", "Shares.csv", export.shares),
        ("comments.csv", COMMENTS, "Message", "Comments.csv", export.comments),
    ):
        if key in members:
            for line, row, layout in _rows(members[key], expected, text_field, name, report):
                export.layouts[name] = layout
                target.append((line, row))
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


def share_to_post(row: dict[str, str], author_id: str, repeats: list[dict[str, str]] = ()) -> Post:
    """One share; ``repeats`` are further rows with the same ShareLink (one per media item)."""
    created = _date(row.get("Date", ""))
    text = _text(row.get("ShareCommentary", ""))
    link = _http(row.get("ShareLink", ""))
    rows = [row, *repeats]
    shared = next((u for u in (_http(r.get("SharedUrl", "")) for r in rows) if u), None)
    links = tuple(dict.fromkeys(u for r in rows for u in (_http(r.get("SharedUrl", "")), _http(r.get("MediaUrl", ""))) if u))
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
        links=links,
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
    groups: dict[str, tuple[int, dict[str, str], list[dict[str, str]]]] = {}
    for line, row in export.shares:  # rows repeating a ShareLink (one per media item) are one share
        link = (row.get("ShareLink") or "").strip()
        if link and link in groups:
            groups[link][2].append(row)
        else:
            groups[link or f"#{line}"] = (line, row, [])
    for line, row, repeats in groups.values():
        if "CONNECTION" in (row.get("Visibility") or "").upper():
            report.skipped += 1
            continue
        try:
            posts.append(share_to_post(row, author_id, repeats))
        except ValueError as exc:
            report.errors.append(RowError(line, f"{exc} ({export.layouts.get('Shares.csv')})", "Shares.csv"))
    own = {_key(p.url) for p in posts if p.url}
    for line, row in export.comments:
        try:
            posts.append(comment_to_post(row, author_id, own))
        except ValueError as exc:
            report.errors.append(RowError(line, f"{exc} ({export.layouts.get('Comments.csv')})", "Comments.csv"))
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
