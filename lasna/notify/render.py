"""Render digests and alerts as (subject, plain text, HTML) in Finnish or English. Pure functions.

The HTML is small and self-contained: inline styles, no external images or fonts, no scripts; score bars
are table cells with a width (e-mail clients strip SVG too often to rely on it). Every value from the
data is escaped. Each number links to the dashboard page it comes from when ``dashboard_url`` is set.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from coaching.texts import core_names
from lasna.notify.content import Alert, ConsultantDigest, ExecutiveDigest, Score, WaitingItem

LANGS = ("fi", "en")

TEXTS: dict[str, dict[str, str]] = {
    "digest.subject": {"fi": "Läsnä-viikkokatsaus {week}: {leader}", "en": "Läsnä weekly digest {week}: {leader}"},
    "digest.subject_many": {"fi": "Läsnä-viikkokatsaus {week}: {n} johtajaa",
                            "en": "Läsnä weekly digest {week}: {n} leaders"},
    "hello": {"fi": "Hei {name},", "en": "Hello {name},"},
    "exec.intro": {"fi": "tässä viikon {week} katsaus: {leader}.", "en": "here is the week {week} digest for {leader}."},
    "cons.intro": {"fi": "tässä viikon {week} katsaus johtajistasi.", "en": "here is the week {week} digest of your leaders."},
    "scores": {"fi": "Pisteet (0–100) ja muutos viikossa", "en": "Scores (0–100) and change in a week"},
    "tips": {"fi": "Tämän viikon vinkit", "en": "This week's tips"},
    "no_tips": {"fi": "Ei uusia vinkkejä tällä viikolla.", "en": "No new tips this week."},
    "evidence": {"fi": "Esimerkki", "en": "Example"},
    "waiting": {"fi": "Odottavat vastausta pisimpään", "en": "Waiting longest for an answer"},
    "waiting_more": {"fi": "Yhteensä {n} odottaa vastausta.", "en": "{n} in all are waiting for an answer."},
    "no_waiting": {"fi": "Kukaan ei odota vastausta. Hienoa!", "en": "Nobody is waiting for an answer. Well done!"},
    "goals": {"fi": "Tavoitteet", "en": "Goals"},
    "no_goals": {"fi": "Ei tavoitteita.", "en": "No goals set."},
    "goal_line": {"fi": "{metric}: {status} (nyt {current}, tavoite {target} {deadline} mennessä)",
                  "en": "{metric}: {status} (now {current}, target {target} by {deadline})"},
    "leaders": {"fi": "Johtajasi", "en": "Your leaders"},
    "col.leader": {"fi": "Johtaja", "en": "Leader"},
    "col.moved": {"fi": "Suurin muutos", "en": "Moved most"},
    "col.waiting": {"fi": "Odottaa", "en": "Waiting"},
    "col.longest": {"fi": "Pisin odotus", "en": "Longest wait"},
    "moved_most": {"fi": "Eniten liikkui: {leader} ({score} {change}).", "en": "Moved most: {leader} ({score} {change})."},
    "waits_most": {"fi": "Pisimpään odottaa: {leader} – {n} keskustelua, pisin {age}.",
                   "en": "Longest waits: {leader}, {n} conversations, longest {age}."},
    "sessions": {"fi": "Tulevat sparraukset", "en": "Upcoming sparring sessions"},
    "no_sessions": {"fi": "Ei sparrauksia tällä viikolla.", "en": "No sparring sessions this week."},
    "actions": {"fi": "Viimeksi sovitut toimet", "en": "Last agreed actions"},
    "no_actions": {"fi": "ei kirjattuja toimia", "en": "no actions recorded"},
    "open": {"fi": "Avaa kojelaudalla", "en": "Open in the dashboard"},
    "open_conversation": {"fi": "avaa keskustelu", "en": "open the conversation"},
    "footer": {"fi": "Läsnä lähettää tämän viestin, koska olet sen käyttäjä. Asetukset: {settings}",
               "en": "Läsnä sends this message because you use it. Settings: {settings}"},
    "settings_cli": {"fi": "lasna users notify {name} --digest off", "en": "lasna users notify {name} --digest off"},
    "alert.subject": {"fi": "{leader}: {author} on odottanut vastausta {age}",
                      "en": "{leader}: {author} has waited {age} for an answer"},
    "alert.intro_question": {"fi": "{leader}: {author} kysyi {age} sitten, eikä vastausta ole vielä tullut:",
                             "en": "{author} asked {leader} a question {age} ago and is still waiting for an answer:"},
    "alert.intro_critical": {"fi": "{leader}: {author} kirjoitti kriittisen viestin {age} sitten, eikä vastausta ole vielä tullut:",
                             "en": "{author} wrote a critical reply to {leader} {age} ago and is still waiting for an answer:"},
    "alert.why": {"fi": "Saat tämän, koska raja on {hours} tuntia. Yksi muistutus per keskustelu.",
                  "en": "You get this because your threshold is {hours} hours. One reminder per conversation."},
    "critical": {"fi": "kriittinen", "en": "critical"},
    "short.openness": {"fi": "Avoin", "en": "Open"},
    "short.responsiveness": {"fi": "Vast", "en": "Resp"},
    "short.network": {"fi": "Verk", "en": "Netw"},
    "short.consistency": {"fi": "Sään", "en": "Cons"},
}


TEXTS.update(core_names())  # composite names and goal statuses, from where the reports read them


def tr(key: str, lang: str, **params) -> str:
    text = TEXTS[key]["fi" if lang == "fi" else "en"]
    return text.format(**params) if params else text


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


# ---------------------------------------------------------------------- small formatters
def fmt_score(value: float | None) -> str:
    return "–" if value is None else str(round(value))


def fmt_change(change: float | None) -> str:
    if change is None:
        return "–"
    n = round(change)
    return f"+{n}" if n > 0 else ("±0" if n == 0 else f"−{abs(n)}")


def fmt_age(hours: float | None, lang: str) -> str:
    if hours is None:
        return "–"
    if hours < 48:
        return f"{max(round(hours), 0)} h"
    days = round(hours / 24)
    return f"{days} {'pv' if lang == 'fi' else 'd'}"


def fmt_value(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    text = f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 10 else str(round(value))
    return text.replace(".", ",") if lang == "fi" else text


def dashboard_link(base: str, page: str, lang: str, leader: str | None = None) -> str | None:
    """``base``/page?leader=…&lang=… (None without a dashboard address)."""
    if not base:
        return None
    params = {"leader": leader} if leader else {}
    params["lang"] = lang
    return f"{base.rstrip('/')}/{page}?{urlencode(params)}"


def safe_url(url: str | None) -> str | None:
    """Only http(s) links get into a message (a stored URL could be anything)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


# ---------------------------------------------------------------------- HTML pieces
_E = html.escape
_FONT = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif"


def _a(url: str | None, label: str) -> str:
    url = safe_url(url)
    return f'<a href="{_E(url)}" style="color:#1d5c4d">{_E(label)}</a>' if url else _E(label)


def _page(title: str, body: str, lang: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{_E(title)}</title></head>'
            f'<body style="margin:0;padding:0;background:#f4f2ee">'
            f'<div style="max-width:600px;margin:0 auto;padding:20px;background:#ffffff;color:#222;{_FONT};'
            f'font-size:15px;line-height:1.45"><div style="font-size:12px;font-weight:bold;letter-spacing:.12em;'
            f'color:#2e8b72;margin-bottom:12px">LÄSNÄ</div>{body}</div></body></html>')


def _h2(text: str) -> str:
    return f'<h2 style="font-size:17px;margin:22px 0 8px;color:#1d5c4d">{_E(text)}</h2>'


def _score_color(change: float | None) -> str:
    if change is None or round(change) == 0:
        return "#666"
    return "#1a7f37" if change > 0 else "#b3261e"


def _score_table(scores: tuple[Score, ...], lang: str, link: str | None) -> str:
    rows = []
    for s in scores:
        width = 0 if s.value is None else max(2, min(100, round(s.value)))
        bar = (f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>'
               f'<td style="background:#2e8b72;height:8px;width:{width}%"></td>'
               f'<td style="background:#e3e9e6;height:8px"></td></tr></table>') if s.value is not None else ""
        rows.append(
            f'<tr><td style="padding:4px 8px 4px 0;white-space:nowrap">{_a(link, tr("composite." + s.name, lang))}</td>'
            f'<td style="padding:4px 8px;font-weight:bold;text-align:right">{fmt_score(s.value)}</td>'
            f'<td style="padding:4px 8px;color:{_score_color(s.change)};text-align:right">{fmt_change(s.change)}</td>'
            f'<td style="padding:4px 0;width:45%">{bar}</td></tr>')
    return f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0">{"".join(rows)}</table>'


def _waiting_html(items: tuple[WaitingItem, ...], lang: str) -> str:
    lis = []
    for w in items:
        flag = f' <span style="color:#b3261e">({_E(tr("critical", lang))})</span>' if w.critical else ""
        lis.append(f'<li style="margin-bottom:6px"><b>{_E(w.author)}</b> · {_E(fmt_age(w.age_hours, lang))}{flag}<br>'
                   f'<span style="color:#444">“{_E(w.text)}”</span> {_a(w.url, tr("open_conversation", lang))}</li>')
    return f'<ul style="padding-left:20px;margin:6px 0">{"".join(lis)}</ul>'


def _open_link(url: str | None, lang: str) -> str:
    return f'<p style="margin:6px 0 0;font-size:13px">{_a(url, tr("open", lang))} →</p>' if url else ""


def _footer(name: str, lang: str) -> str:
    return tr("footer", lang, settings=tr("settings_cli", lang, name=name))


# ---------------------------------------------------------------------- digests
def render_executive(d: ExecutiveDigest, lang: str, dashboard_url: str = "") -> Rendered:
    presence = dashboard_link(dashboard_url, "presence", lang, d.leader)
    subject = tr("digest.subject", lang, week=d.week, leader=d.leader)
    text: list[str] = [tr("hello", lang, name=d.recipient), tr("exec.intro", lang, week=d.week, leader=d.leader), ""]
    body: list[str] = [f'<p>{_E(tr("hello", lang, name=d.recipient))}<br>'
                       f'{_E(tr("exec.intro", lang, week=d.week, leader=d.leader))}</p>']
    # scores
    text.append(tr("scores", lang))
    text += [f"  {tr('composite.' + s.name, lang):<16} {fmt_score(s.value):>3}  {fmt_change(s.change)}" for s in d.scores]
    if presence:
        text.append(f"  {presence}")
    body += [_h2(tr("scores", lang)), _score_table(d.scores, lang, presence), _open_link(presence, lang)]
    # tips
    text += ["", tr("tips", lang)]
    body.append(_h2(tr("tips", lang)))
    if d.tips:
        items = []
        for i, tip in enumerate(d.tips, 1):
            text.append(f"  {i}. {tip.title}\n     {tip.action}")
            if tip.evidence_url or tip.evidence_text:
                text.append(f"     {tr('evidence', lang)}: {tip.evidence_text} {safe_url(tip.evidence_url) or ''}".rstrip())
            ev = ""
            if tip.evidence_url or tip.evidence_text:
                ev = (f'<br><span style="font-size:13px;color:#555">{_E(tr("evidence", lang))}: '
                      f'{_a(tip.evidence_url, "“" + (tip.evidence_text or tr("open_conversation", lang)) + "”")}</span>')
            items.append(f'<li style="margin-bottom:8px"><b>{_E(tip.title)}</b><br>{_E(tip.action)}{ev}</li>')
        body.append(f'<ol style="padding-left:20px;margin:6px 0">{"".join(items)}</ol>')
    else:
        text.append("  " + tr("no_tips", lang))
        body.append(f"<p>{_E(tr('no_tips', lang))}</p>")
    body.append(_open_link(presence, lang))
    # waiting
    text += ["", tr("waiting", lang)]
    body.append(_h2(tr("waiting", lang)))
    if d.waiting:
        for w in d.waiting:
            flag = f" ({tr('critical', lang)})" if w.critical else ""
            text.append(f"  - {w.author}, {fmt_age(w.age_hours, lang)}{flag}: “{w.text}” {safe_url(w.url) or ''}".rstrip())
        body.append(_waiting_html(d.waiting, lang))
        if d.waiting_total > len(d.waiting):
            text.append("  " + tr("waiting_more", lang, n=d.waiting_total))
            body.append(f'<p style="font-size:13px">{_E(tr("waiting_more", lang, n=d.waiting_total))}</p>')
    else:
        text.append("  " + tr("no_waiting", lang))
        body.append(f"<p>{_E(tr('no_waiting', lang))}</p>")
    body.append(_open_link(presence, lang))
    # goals
    text += ["", tr("goals", lang)]
    body.append(_h2(tr("goals", lang)))
    if d.goals:
        lines = [tr("goal_line", lang, metric=_metric_name(g.metric, lang), status=tr("status." + g.status, lang),
                    current=fmt_value(g.current, lang), target=fmt_value(g.target, lang),
                    deadline=g.deadline.isoformat()) for g in d.goals]
        text += [f"  - {line}" for line in lines]
        body.append('<ul style="padding-left:20px;margin:6px 0">' + "".join(f"<li>{_E(x)}</li>" for x in lines) + "</ul>")
    else:
        text.append("  " + tr("no_goals", lang))
        body.append(f"<p>{_E(tr('no_goals', lang))}</p>")
    text += ["", "--", _footer(d.recipient, lang)]
    body.append(f'<p style="margin-top:28px;font-size:12px;color:#777">{_E(_footer(d.recipient, lang))}</p>')
    return Rendered(subject, "\n".join(text) + "\n", _page(subject, "".join(body), lang))


def render_consultant(d: ConsultantDigest, lang: str, dashboard_url: str = "") -> Rendered:
    subject = tr("digest.subject_many", lang, week=d.week, n=len(d.rows))
    text = [tr("hello", lang, name=d.recipient), tr("cons.intro", lang, week=d.week), ""]
    body = [f'<p>{_E(tr("hello", lang, name=d.recipient))}<br>{_E(tr("cons.intro", lang, week=d.week))}</p>']
    # highlights: who moved most, who has people waiting longest
    moved = [(r, r.moved, r.moved.change) for r in d.rows
             if r.moved is not None and r.moved.change is not None and round(r.moved.change) != 0]
    highlights = []
    if moved:
        top_row, top_score, top_change = max(moved, key=lambda m: (abs(m[2]), m[0].leader))
        highlights.append(tr("moved_most", lang, leader=top_row.leader, score=tr("composite." + top_score.name, lang),
                             change=fmt_change(top_change)))
    waiting = [r for r in d.rows if r.longest_hours is not None and r.waiting]
    if waiting:
        top = max(waiting, key=lambda r: (r.longest_hours, r.leader))
        highlights.append(tr("waits_most", lang, leader=top.leader, n=top.waiting, age=fmt_age(top.longest_hours, lang)))
    text += highlights + ["", tr("leaders", lang)]
    body += [f"<p>{_E(h)}</p>" for h in highlights]
    body.append(_h2(tr("leaders", lang)))
    heads = [tr("col.leader", lang), *(tr("short." + c, lang) for c in
                                        ("openness", "responsiveness", "network", "consistency")),
             tr("col.moved", lang), tr("col.waiting", lang), tr("col.longest", lang)]
    th = "".join(f'<th style="text-align:left;padding:4px 6px;border-bottom:1px solid #ccc;font-size:12px">{_E(h)}</th>'
                 for h in heads)
    trs = []
    order = sorted(d.rows, key=lambda r: (-(r.longest_hours or -1), r.leader))
    for r in order:
        link = dashboard_link(dashboard_url, "sparring", lang, r.leader)
        cells = [_a(link, r.leader)]
        cells += [f'<span style="white-space:nowrap">{fmt_score(s.value)} <span style="color:'
                  f'{_score_color(s.change)};font-size:12px">{fmt_change(s.change)}</span></span>' for s in r.scores]
        mv = r.moved if r.moved is not None and r.moved.change is not None and round(r.moved.change) != 0 else None
        cells.append(_E(f"{tr('composite.' + mv.name, lang)} {fmt_change(mv.change)}") if mv else "–")
        cells += [str(r.waiting), _E(fmt_age(r.longest_hours, lang))]
        trs.append("<tr>" + "".join(f'<td style="padding:4px 6px;border-bottom:1px solid #eee;font-size:13px">{c}</td>'
                                    for c in cells) + "</tr>")
        scores = " ".join(f"{tr('short.' + s.name, lang)} {fmt_score(s.value)} ({fmt_change(s.change)})"
                          for s in r.scores)
        text.append(f"  - {r.leader}: {scores}; {tr('col.waiting', lang).lower()} {r.waiting}, "
                    f"{tr('col.longest', lang).lower()} {fmt_age(r.longest_hours, lang)}"
                    + (f"\n    {link}" if link else ""))
    body.append('<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
                f'style="border-collapse:collapse"><tr>{th}</tr>{"".join(trs)}</table>')
    # sessions
    text += ["", tr("sessions", lang)]
    body.append(_h2(tr("sessions", lang)))
    if d.sessions:
        items = []
        for s in sorted(d.sessions, key=lambda s: (s.on, s.leader)):
            actions = "; ".join(s.actions) if s.actions else tr("no_actions", lang)
            text.append(f"  - {s.on.isoformat()} {s.leader}: {tr('actions', lang).lower()}: {actions}")
            link = dashboard_link(dashboard_url, "sparring", lang, s.leader)
            acts = ("<ul style='margin:4px 0'>" + "".join(f"<li>{_E(a)}</li>" for a in s.actions) + "</ul>"
                    if s.actions else f" <i>{_E(tr('no_actions', lang))}</i>")
            items.append(f'<li style="margin-bottom:8px"><b>{_E(s.on.isoformat())}</b> {_a(link, s.leader)} — '
                         f'{_E(tr("actions", lang))}:{acts}</li>')
        body.append(f'<ul style="padding-left:20px;margin:6px 0">{"".join(items)}</ul>')
    else:
        text.append("  " + tr("no_sessions", lang))
        body.append(f"<p>{_E(tr('no_sessions', lang))}</p>")
    text += ["", "--", _footer(d.recipient, lang)]
    body.append(f'<p style="margin-top:28px;font-size:12px;color:#777">{_E(_footer(d.recipient, lang))}</p>')
    return Rendered(subject, "\n".join(text) + "\n", _page(subject, "".join(body), lang))


# ---------------------------------------------------------------------- alerts
def render_alert(a: Alert, lang: str, dashboard_url: str = "") -> Rendered:
    w = a.item
    age = fmt_age(w.age_hours, lang)
    subject = tr("alert.subject", lang, leader=a.leader, author=w.author, age=age)
    intro = tr("alert.intro_question" if w.question or not w.critical else "alert.intro_critical", lang,
               author=w.author, leader=a.leader, age=age)
    why = tr("alert.why", lang, hours=fmt_value(a.threshold_hours, lang))
    presence = dashboard_link(dashboard_url, "presence", lang, a.leader)
    text = [tr("hello", lang, name=a.recipient), "", intro, "", f"  “{w.text}”"]
    if safe_url(w.url):
        text.append(f"  {w.url}")
    if presence:
        text += ["", f"{tr('open', lang)}: {presence}"]
    text += ["", "--", why]
    body = (f'<p>{_E(tr("hello", lang, name=a.recipient))}</p><p>{_E(intro)}</p>'
            f'<blockquote style="margin:8px 0;padding:8px 12px;border-left:3px solid #2e8b72;background:#f4f8f6">'
            f'{_E(w.text)}</blockquote><p>{_a(w.url, tr("open_conversation", lang))}</p>{_open_link(presence, lang)}'
            f'<p style="margin-top:28px;font-size:12px;color:#777">{_E(why)}</p>')
    return Rendered(subject, "\n".join(text) + "\n", _page(subject, body, lang))


def _metric_name(metric: str, lang: str) -> str:
    if f"composite.{metric}" in TEXTS:
        return tr(f"composite.{metric}", lang)
    try:
        from coaching.score_adapter import metric_name

        return metric_name(metric, lang)
    except Exception:  # an unknown metric key: show the key
        return metric
