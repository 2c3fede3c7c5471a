"""UI language: Finnish and English strings, Babel for dates and numbers.

The chosen language is kept in the session and in the ``lang`` query parameter,
so a reload or a shared link keeps it.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as _format_date
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent

LANGUAGES = {"fi": "Suomi", "en": "English"}
LOCALES = {"fi": "fi_FI", "en": "en_GB"}

STRINGS: dict[str, dict[str, str]] = {
    "app.title": {"fi": "Läsnä", "en": "Läsnä"},
    "app.tagline": {
        "fi": "Johtajan läsnäolo julkisessa somessa: avoimuus, vastaaminen, dialogi, verkosto, säännöllisyys.",
        "en": "A leader's presence in public social media: openness, responsiveness, dialogue, network, consistency.",
    },
    "nav.presence": {"fi": "Oma läsnäolo", "en": "My presence"},
    "nav.sparring": {"fi": "Sparraus", "en": "Sparring"},
    "nav.cohorts": {"fi": "Ryhmät", "en": "Cohorts"},
    "nav.health": {"fi": "Keräyksen tila", "en": "Collection health"},
    "lang.label": {"fi": "Kieli", "en": "Language"},
    "leader.label": {"fi": "Johtaja", "en": "Leader"},
    "leaders.label": {"fi": "Johtajat", "en": "Leaders"},
    "cohort.label": {"fi": "Ryhmä", "en": "Cohort"},
    "period.label": {"fi": "Jakso (päivää)", "en": "Period (days)"},
    "empty.store": {
        "fi": "Tietokannassa ei ole vielä johtajia. Lisää johtaja: `lasna leaders add` tai lataa demo: `lasna demo`.",
        "en": "No leaders in the database yet. Add one with `lasna leaders add`, or load the demo with `lasna demo`.",
    },
    "demo.banner": {
        "fi": "Demotila: kaikki henkilöt ja julkaisut ovat kuvitteellisia.",
        "en": "Demo mode: every person and post here is fictional.",
    },
    "presence.title": {"fi": "Oma läsnäolo", "en": "My presence"},
    "sparring.title": {"fi": "Sparraus", "en": "Sparring"},
    "cohorts.title": {"fi": "Ryhmät", "en": "Cohorts"},
    "health.title": {"fi": "Keräyksen tila", "en": "Collection health"},
    "metric.posts": {"fi": "Omat julkaisut", "en": "Own posts"},
    "metric.replies_out": {"fi": "Vastaukset muille", "en": "Replies to others"},
    "metric.incoming": {"fi": "Saadut vastaukset", "en": "Replies received"},
    "metric.answered": {"fi": "Vastattu", "en": "Answered"},
    "metric.people": {"fi": "Eri keskustelijoita", "en": "Distinct people"},
    "metric.last_post": {"fi": "Viimeisin julkaisu", "en": "Latest post"},
    "chart.weekly": {"fi": "Julkaisut viikoittain", "en": "Posts per week"},
    "chart.week": {"fi": "Viikko", "en": "Week"},
    "chart.count": {"fi": "Määrä", "en": "Count"},
    "kind.post": {"fi": "Oma julkaisu", "en": "Own post"},
    "kind.reply": {"fi": "Vastaus muille", "en": "Reply to others"},
    "kind.thread": {"fi": "Oma ketju", "en": "Own thread"},
    "kind.repost": {"fi": "Uudelleenjako", "en": "Repost"},
    "recent.title": {"fi": "Viimeisimmät julkaisut", "en": "Recent posts"},
    "col.time": {"fi": "Aika", "en": "Time"},
    "col.text": {"fi": "Teksti", "en": "Text"},
    "col.kind": {"fi": "Tyyppi", "en": "Type"},
    "col.link": {"fi": "Linkki", "en": "Link"},
    "col.leader": {"fi": "Johtaja", "en": "Leader"},
    "summary.title": {"fi": "Yhteenveto", "en": "Summary"},
    "members.title": {"fi": "Jäsenet", "en": "Members"},
    "visibility.label": {"fi": "Näkyvyys", "en": "Visibility"},
    "health.runs": {"fi": "Viimeisimmät keräysajot", "en": "Latest collection runs"},
    "health.accounts": {"fi": "Tilit", "en": "Accounts"},
    "health.no_runs": {
        "fi": "Keräystä ei ole vielä ajettu. Ajasta `lasna collect` (ks. docs/COLLECTING.md).",
        "en": "No collection has run yet. Schedule `lasna collect` (see docs/COLLECTING.md).",
    },
    "col.platform": {"fi": "Palvelu", "en": "Platform"},
    "col.account": {"fi": "Tili", "en": "Account"},
    "col.posts": {"fi": "Julkaisuja", "en": "Posts"},
    "col.last_post": {"fi": "Viimeisin julkaisu", "en": "Latest post"},
    "col.started": {"fi": "Alkoi", "en": "Started"},
    "col.finished": {"fi": "Päättyi", "en": "Finished"},
    "col.ok": {"fi": "Onnistui", "en": "OK"},
    "col.source": {"fi": "Lähde", "en": "Source"},
    "col.error": {"fi": "Virhe", "en": "Error"},
}


def t(key: str, lang: str) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]


def fmt_date(value: date | datetime | None, lang: str, length: str = "short") -> str:
    if value is None or value != value:  # None or NaT
        return "–"
    return _format_date(value, format=length, locale=LOCALES[lang])


def fmt_number(value: float, lang: str) -> str:
    return _format_decimal(value, locale=LOCALES[lang])


def fmt_percent(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    return _format_percent(value, locale=LOCALES[lang])
