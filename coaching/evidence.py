"""Evidence items (real posts and messages behind a number) and language-aware formatting.

Pure helpers shared by tips, sessions and reports: look ids up in the posts/interactions frames,
format values (Babel) and cut texts into short snippets.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal, format_percent

from coaching.score_adapter import clean_text, metric_unit
from coaching.texts import phrase

LOCALES = {"fi": "fi_FI", "en": "en_GB"}


@dataclass(frozen=True)
class Evidence:
    """One real item behind a number: the leader's post or someone's message to the leader."""

    id: str
    kind: str  # "post" | "interaction"
    url: str | None = None
    text: str = ""
    author: str | None = None
    at: datetime | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "url": self.url, "text": self.text, "author": self.author,
                "at": self.at.isoformat() if self.at is not None else None}


def _s(v) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return str(v)


def post_evidence(posts: pd.DataFrame, ids) -> list[Evidence]:
    """Evidence for the leader's own posts, in the order of ``ids`` (unknown ids are skipped)."""
    if posts is None or len(posts) == 0:
        return []
    idx = posts.drop_duplicates("post_id").set_index("post_id")
    out = []
    for i in ids:
        if i in idx.index:
            r = idx.loc[i]
            out.append(Evidence(id=str(i), kind="post", url=_s(r.get("url")), text=_s(r.get("text")) or "",
                                author=_s(r.get("leader")), at=pd.Timestamp(r["indexed_at"]).to_pydatetime()))
    return out


def interaction_evidence(interactions: pd.DataFrame, ids) -> list[Evidence]:
    if interactions is None or len(interactions) == 0:
        return []
    idx = interactions.drop_duplicates("interaction_id").set_index("interaction_id")
    out = []
    for i in ids:
        if i in idx.index:
            r = idx.loc[i]
            author = _s(r.get("author")) or _s(r.get("author_name")) or _s(r.get("author_handle")) or _s(r.get("author_id"))
            out.append(Evidence(id=str(i), kind="interaction", url=_s(r.get("url")), text=_s(r.get("text")) or "",
                                author=author, at=pd.Timestamp(r["indexed_at"]).to_pydatetime()))
    return out


def snippet(text: str | None, limit: int = 90) -> str:
    """A short quotable piece of a text: handles/URLs removed, cut at a word boundary."""
    s = clean_text(text or "")
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s+([,.:;!?])", r"\1", s)
    s = re.sub(r"^[,.:;\s]+", "", s)
    if len(s) <= limit:
        return s.rstrip(".")
    cut = s[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:–-") + "…"


def fmt_date(d, lang: str, long: bool = False) -> str:
    if d is None:
        return "–"
    if isinstance(d, pd.Timestamp):
        d = d.to_pydatetime()
    if isinstance(d, datetime):
        d = d.date()
    if long:
        return _babel_date(d, format="long", locale=LOCALES.get(lang, "en_GB"))
    return _babel_date(d, format="d.M.yyyy" if lang == "fi" else "d MMM yyyy", locale=LOCALES.get(lang, "en_GB"))


def fmt_short_date(d, lang: str) -> str:
    if isinstance(d, pd.Timestamp):
        d = d.to_pydatetime()
    if isinstance(d, datetime):
        d = d.date()
    return _babel_date(d, format="d.M." if lang == "fi" else "d MMM", locale=LOCALES.get(lang, "en_GB"))


def fmt_hours(h: float | None, lang: str) -> str:
    if h is None or (isinstance(h, float) and math.isnan(h)):
        return "–"
    if math.isinf(h):
        return phrase("never", lang)
    loc = LOCALES.get(lang, "en_GB")
    if h < 48:
        return phrase("hours", lang, value=format_decimal(round(h, 1), locale=loc))
    return phrase("days", lang, value=format_decimal(round(h / 24, 1), locale=loc))


def fmt_value(key: str, value: float | None, lang: str) -> str:
    """A metric value as people read it: shares as %, hours as h/days, percentiles as numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    unit = metric_unit(key)
    loc = LOCALES.get(lang, "en_GB")
    if unit == "share":
        return format_percent(value, format="#,##0 %" if lang == "fi" else "#,##0%", locale=loc)
    if unit == "hours":
        return fmt_hours(value, lang)
    if unit == "points":  # a difference of shares
        return fmt_delta(key, value, lang)
    if unit == "percentile":
        return format_decimal(round(value), locale=loc)
    return format_decimal(round(value, 2), locale=loc)


def fmt_delta(key: str, delta: float | None, lang: str) -> str:
    if delta is None or (isinstance(delta, float) and (math.isnan(delta) or math.isinf(delta))):
        return "–"
    unit = metric_unit(key)
    loc = LOCALES.get(lang, "en_GB")
    percent = unit in ("share", "points")
    shown = abs(delta) * 100 if percent else abs(delta)
    sign = "±" if round(shown, 0 if percent else 1) == 0 else ("+" if delta > 0 else "−")
    if percent:
        return f"{sign}{format_decimal(round(abs(delta) * 100), locale=loc)} %-yks." if lang == "fi" else \
            f"{sign}{format_decimal(round(abs(delta) * 100), locale=loc)} pp"
    if unit == "hours":
        return sign + fmt_hours(abs(delta), lang)
    return sign + format_decimal(round(abs(delta), 1), locale=loc)


def to_date(d) -> date:
    if isinstance(d, pd.Timestamp):
        return d.date()
    if isinstance(d, datetime):
        return d.date()
    return d
