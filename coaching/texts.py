"""Coaching texts in Finnish and English: one structured catalog, one entry per key and language.

Templates use ``str.format`` fields. ``tests/test_texts.py`` checks that both languages cover every key
and use the same fields, so a translation can never silently lose the number it should show.
Tone: for an executive — warm, direct, short; the *why* cites the number and its n, the *action* is one
concrete thing to do this week.
"""

from __future__ import annotations

import string

LANGS = ("fi", "en")

#: The five-step adoption model every tip belongs to.
STEPS: dict[int, dict[str, str]] = {
    1: {"fi": "Miksi olemme täällä", "en": "Why we are there"},
    2: {"fi": "Muutama periaate", "en": "A few principles"},
    3: {"fi": "Roolit", "en": "Roles"},
    4: {"fi": "Resurssit, ettei into sammu kuin tähdenlento", "en": "Resources, so it doesn't burn out like a shooting star"},
    5: {"fi": "Kannustava johtaminen ja seuranta", "en": "Encouraging leadership with follow-up"},
}

#: Tip texts: key -> part -> language -> template.
TIPS: dict[str, dict[str, dict[str, str]]] = {
    "answer_waiting": {
        "title": {"fi": "Vastaa sinua odottaviin", "en": "Answer the people waiting for you"},
        "why": {
            "fi": "Vastasit {value} niistä {n} viestistä, jotka sinulle kirjoitettiin {days} päivän aikana ({comparison}).",
            "en": "You answered {value} of the {n} replies and mentions addressed to you in the last {days} days ({comparison}).",
        },
        "action": {
            "fi": "Vastaustasi odottaa {since} lähtien {count}. Aloita tästä – {author} kirjoitti: ”{snippet}”",
            "en": "Unanswered since {since}: {count}. Start with {author}: “{snippet}”",
        },
        "action_question": {
            "fi": "Vastaustasi odottaa {since} lähtien {count}. Aloita tästä – {author} kysyy: ”{snippet}”",
            "en": "Unanswered since {since}: {count}. Start with {author}'s question: “{snippet}”",
        },
    },
    "respond_faster": {
        "title": {"fi": "Vastaa vuorokauden sisällä", "en": "Answer within a day"},
        "why": {
            "fi": "Vastausaikasi mediaani on {value} ({n} viestiä; {comparison}).",
            "en": "Your median time to answer is {value} ({n} messages; {comparison}).",
        },
        "action": {
            "fi": "Varaa tälle viikolle kaksi 15 minuutin vastaushetkeä, esimerkiksi tiistai- ja torstaiaamuun. "
                  "Viimeksi {author} odotti vastaustasi {wait}: ”{snippet}”",
            "en": "Block two 15-minute reply rounds this week, say Tuesday and Thursday morning. "
                  "Last time {author} waited {wait} for your answer: “{snippet}”",
        },
    },
    "reply_more": {
        "title": {"fi": "Keskustele, älä vain tiedota", "en": "Talk with people, not only to them"},
        "why": {
            "fi": "{value} julkaisuistasi oli vastauksia muille ({n} julkaisua; {comparison}).",
            "en": "{value} of your posts were replies to other people ({n} posts; {comparison}).",
        },
        "action": {
            "fi": "Vastaa tällä viikolla kolmelle ihmiselle, jotka kommentoivat julkaisujasi. "
                  "Esimerkiksi {author} kirjoitti julkaisuusi ”{post_snippet}”: ”{snippet}”",
            "en": "This week, reply to three people who commented on your posts. "
                  "For example, {author} wrote under “{post_snippet}”: “{snippet}”",
        },
    },
    "answer_critics": {
        "title": {"fi": "Vastaa myös kriitikoille", "en": "Answer your critics too"},
        "why": {
            "fi": "Vastasit kriittisiin viesteihin {points} prosenttiyksikköä harvemmin kuin kannustaviin "
                  "({n} kriittistä viestiä; {comparison}).",
            "en": "You answered critical messages {points} percentage points less often than supportive ones "
                  "({n} critical messages; {comparison}).",
        },
        "action": {
            "fi": "Vastaa tällä viikolla ainakin yhteen kriittiseen viestiin asiasta ja kiitä palautteesta – "
                  "eri mieltä saa olla. Esimerkiksi {author} kirjoitti: ”{snippet}”",
            "en": "This week, answer at least one critical message on its substance and thank the writer for "
                  "the feedback; you may disagree. For example, {author} wrote: “{snippet}”",
        },
    },
    "open_replies": {
        "title": {"fi": "Avaa keskustelu", "en": "Open the conversation"},
        "why": {
            "fi": "{value} aloituksistasi rajasi vastauksia tai lainauksia ({n} julkaisua; {comparison}).",
            "en": "{value} of your posts limited replies or quotes ({n} posts; {comparison}).",
        },
        "action": {
            "fi": "Jätä vastaukset auki seuraavissa kolmessa julkaisussasi – myös silloin, kun aihe on kuin tässä: "
                  "”{post_snippet}”. Jos joku ylittää rajan, piilota se yksi vastaus, älä koko keskustelua.",
            "en": "Leave replies open on your next three posts, also when the topic is like this one: "
                  "“{post_snippet}”. If someone crosses a line, hide that one reply, not the whole conversation.",
        },
    },
    "ask_questions": {
        "title": {"fi": "Kysy yleisöltäsi", "en": "Ask your audience"},
        "why": {
            "fi": "Vain {value} aloituksistasi kysyi jotain yleisöltä ({n} julkaisua; {comparison}).",
            "en": "Only {value} of your posts asked your audience something ({n} posts; {comparison}).",
        },
        "action": {
            "fi": "Päätä seuraava julkaisusi kysymykseen. Esimerkiksi julkaisusi ”{post_snippet}” olisi voinut "
                  "päättyä: ”Miten tämä näkyy teidän arjessanne?”",
            "en": "End your next post with a question. Your post “{post_snippet}” could have ended with: "
                  "“How does this show in your work?”",
        },
    },
    "personal_voice": {
        "title": {"fi": "Kirjoita omalla äänelläsi", "en": "Write in your own voice"},
        "why": {
            "fi": "{value} julkaisuistasi oli minä-muodossa ({n} julkaisua; {comparison}).",
            "en": "{value} of your posts were in the first person ({n} posts; {comparison}).",
        },
        "action": {
            "fi": "Kirjoita tällä viikolla yksi julkaisu siitä, mitä itse näit, opit tai päätit – ja miksi. "
                  "Voit jatkaa aiheesta ”{post_snippet}”: mitä se merkitsee sinulle?",
            "en": "Write one post this week about what you yourself saw, learned or decided, and why. "
                  "You could pick up “{post_snippet}”: what does it mean to you?",
        },
    },
    "credit_others": {
        "title": {"fi": "Nosta muut esiin", "en": "Give credit by name"},
        "why": {
            "fi": "{value} julkaisuistasi kiitti tai nosti esiin jonkun toisen ({n} julkaisua; {comparison}).",
            "en": "{value} of your posts thanked or credited someone by name ({n} posts; {comparison}).",
        },
        "action": {
            "fi": "Kiitä tällä viikolla yhtä ihmistä tai tiimiä nimeltä ja merkitse heidät. Hyvä paikka: "
                  "”{post_snippet}” – kuka teki sen mahdolliseksi?",
            "en": "This week, thank one person or team by name and tag them. A good place: "
                  "“{post_snippet}” — who made it possible?",
        },
    },
    "show_results": {
        "title": {"fi": "Näytä, mitä työ saa aikaan", "en": "Show what the work achieves"},
        "why": {
            "fi": "{value} julkaisuistasi kertoi tuloksista tai linkitti lähteeseen ({n} julkaisua; {comparison}).",
            "en": "{value} of your posts shared results or linked a source ({n} posts; {comparison}).",
        },
        "action": {
            "fi": "Kerro tällä viikolla yksi konkreettinen tulos luvun tai linkin kanssa. Jatka esimerkiksi "
                  "julkaisuasi ”{post_snippet}”: mitä siitä seurasi?",
            "en": "This week, share one concrete result with a number or a link. Follow up “{post_snippet}”: "
                  "what came of it?",
        },
    },
    "widen_network": {
        "title": {"fi": "Vastaa niille, jotka puhuttelevat sinua", "en": "Reach back to the people who reach out"},
        "why": {
            "fi": "Kirjoitit {value} niistä {n} ihmisestä, jotka kirjoittivat sinulle ({comparison}).",
            "en": "You wrote back to {value} of the {n} people who wrote to you ({comparison}).",
        },
        "action": {
            "fi": "Kirjoita tällä viikolla näille ihmisille, joille et ole vielä vastannut: {names}.",
            "en": "This week, write back to people you haven't answered yet: {names}.",
        },
    },
    "keep_rhythm": {
        "title": {"fi": "Pidä tasainen rytmi", "en": "Keep a steady rhythm"},
        "why": {
            "fi": "Julkaisit {active} viikkona viimeisistä {weeks} viikosta; vilkkaimmalla viikolla {peak} kertaa. "
                  "Viimeisin julkaisusi oli {last} ({n} julkaisua).",
            "en": "You posted in {active} of the last {weeks} weeks, {peak} times in your busiest week. "
                  "Your latest post was on {last} ({n} posts).",
        },
        "action": {
            "fi": "Sovi itsellesi kevyt rytmi, joka kestää: yksi julkaisu ja yksi vastauskierros viikossa, aina "
                  "samana päivänä. Aloita tällä viikolla – vaikka jatkamalla aihetta ”{post_snippet}”.",
            "en": "Agree on a light rhythm you can keep: one post and one reply round a week, always on the same "
                  "day. Start this week, perhaps by following up “{post_snippet}”.",
        },
    },
    "goal_at_risk": {
        "title": {"fi": "Tavoite vaarassa: {metric}", "en": "Goal at risk: {metric}"},
        "why": {
            "fi": "Tavoitteesi on {target} {deadline} mennessä. Nyt olet {value} ({n} havaintoa); tähän mennessä "
                  "odotettu taso on {expected}.",
            "en": "Your goal is {target} by {deadline}. You are at {value} ({n} data points); expected by now: "
                  "{expected}.",
        },
        "action": {
            "fi": "Valitse tälle viikolle yksi teko, joka vie tavoitetta eteenpäin, ja käy se läpi seuraavassa "
                  "sparrauksessa. Esimerkki läheltä: ”{snippet}”",
            "en": "Pick one thing this week that moves the goal forward, and review it in your next sparring "
                  "session. An example close to home: “{snippet}”",
        },
    },
    "celebrate_progress": {
        "title": {"fi": "Hyvä suunta: {metric}", "en": "Good direction: {metric}"},
        "why": {
            "fi": "{metric}: {before} → {value} edelliseen jaksoon verrattuna ({n} havaintoa).",
            "en": "{metric}: {before} → {value} compared with the previous period ({n} data points).",
        },
        "action": {
            "fi": "Jatka samaan malliin ja kerro tiimillesi, mikä auttoi. Tässä yksi onnistuminen: ”{snippet}”",
            "en": "Keep going, and tell your team what helped. Here is one example of it working: “{snippet}”",
        },
    },
    "regain_ground": {
        "title": {"fi": "Ota takaisin: {metric}", "en": "Win it back: {metric}"},
        "why": {
            "fi": "{metric}: {before} → {value} edelliseen jaksoon verrattuna ({n} havaintoa).",
            "en": "{metric}: {before} → {value} compared with the previous period ({n} data points).",
        },
        "action": {
            "fi": "Mieti, mikä muuttui – kiire, loma, uusi rooli? Palaa tällä viikolla yhteen tuttuun tapaan, joka "
                  "toimi. Aloita tästä: ”{snippet}”",
            "en": "Ask what changed — a busy spell, a holiday, a new role? This week, go back to one habit that "
                  "worked. Start here: “{snippet}”",
        },
    },
    "keep_strength": {
        "title": {"fi": "Vahvuutesi: {metric}", "en": "Your strength: {metric}"},
        "why": {
            "fi": "{metric}: {value} ({n} havaintoa; {comparison}) – ryhmäsi kärkeä.",
            "en": "{metric}: {value} ({n} data points; {comparison}) — among the best in your group.",
        },
        "action": {
            "fi": "Pidä kiinni siitä, mikä toimii, ja näytä mallia: kerro tiimillesi, miten teet sen. "
                  "Tästä esimerkki: ”{snippet}”",
            "en": "Hold on to what works and lead by example: tell your team how you do it. "
                  "Here is one example: “{snippet}”",
        },
    },
}

#: Short phrases and labels used around tips, in reports and in the CLI.
PHRASES: dict[str, dict[str, str]] = {
    "not_enough_data": {"fi": "Ei vielä tarpeeksi dataa.", "en": "Not enough data yet."},
    "gap": {
        "fi": "Ei vielä tarpeeksi dataa: {metric} tarvitsee vähintään {needed} havaintoa, nyt {n}.",
        "en": "Not enough data yet: {metric} needs at least {needed} data points, now {n}.",
    },
    "cmp.baseline": {"fi": "edellinen jakso {value}", "en": "previous period {value}"},
    "cmp.cohort": {"fi": "ryhmän mediaani {value}", "en": "cohort median {value}"},
    "cmp.goal": {"fi": "tavoite {value}", "en": "goal {value}"},
    "cmp.none": {"fi": "ei vertailukohtaa vielä", "en": "no comparison yet"},
    "hours": {"fi": "{value} h", "en": "{value} h"},
    "days": {"fi": "{value} vrk", "en": "{value} days"},
    "never": {"fi": "yli puolet vastaamatta", "en": "more than half unanswered"},
    "and": {"fi": "ja", "en": "and"},
    "messages.one": {"fi": "{n} viesti", "en": "{n} reply to you"},
    "messages.many": {"fi": "{n} viestiä", "en": "{n} replies to you"},
    "step": {"fi": "Vaihe {step}: {name}", "en": "Step {step}: {name}"},
    "status.on_track": {"fi": "aikataulussa", "en": "on track"},
    "status.at_risk": {"fi": "vaarassa", "en": "at risk"},
    "status.met": {"fi": "saavutettu", "en": "met"},
    "status.missed": {"fi": "jäi saavuttamatta", "en": "missed"},
    "status.not_started": {"fi": "ei alkanut", "en": "not started"},
    "status.no_data": {"fi": "ei vielä tarpeeksi dataa", "en": "not enough data yet"},
    # report
    "report.title": {"fi": "Läsnä-raportti: {leader}", "en": "Läsnä report: {leader}"},
    "report.period": {"fi": "Jakso {start} – {end}, vertailujakso {bstart} – {bend}",
                      "en": "Period {start} – {end}, baseline {bstart} – {bend}"},
    "report.generated": {"fi": "Luotu {date}. Kaikki luvut julkisista julkaisuista.",
                         "en": "Generated {date}. All numbers come from public posts."},
    "report.composites": {"fi": "Kokonaiskuva", "en": "Overview"},
    "report.trend": {"fi": "Kehitys viikoittain (persentiili ryhmässä)", "en": "Weekly trend (percentile in the group)"},
    "report.components": {"fi": "Osatekijät", "en": "Components"},
    "report.tips": {"fi": "Tämän viikon vinkit", "en": "This week's tips"},
    "report.waiting": {"fi": "Keskustelut odottavat", "en": "Conversations waiting"},
    "report.goals": {"fi": "Tavoitteet", "en": "Goals"},
    "report.session": {"fi": "Sparraus {date}", "en": "Sparring session {date}"},
    "report.notes": {"fi": "Muistiinpanot", "en": "Notes"},
    "report.actions": {"fi": "Sovitut teot", "en": "Agreed actions"},
    "report.previous_actions": {"fi": "Edellisellä kerralla sovittiin", "en": "Agreed last time"},
    "report.next_session": {"fi": "Seuraava tapaaminen: {date}", "en": "Next session: {date}"},
    "report.best": {"fi": "Parhaat esimerkit", "en": "Best examples"},
    "report.weakest": {"fi": "Kehityskohteet", "en": "Where to grow"},
    "report.none": {"fi": "Ei mitään tällä hetkellä.", "en": "Nothing at the moment."},
    "report.why": {"fi": "Miksi", "en": "Why"},
    "report.todo": {"fi": "Tee tällä viikolla", "en": "Do this week"},
    "report.evidence": {"fi": "Näyttö", "en": "Evidence"},
    "report.summary": {"fi": "Yhteenveto", "en": "Summary"},
    "report.scores": {"fi": "Läsnäolon pisteet", "en": "Presence scores"},
    "report.reference.cohort": {
        "fi": "Pisteet 0–100 ovat persentiilejä vertailuryhmässä {group} ({n} johtajaa); muutos verrattuna vertailujaksoon.",
        "en": "Scores 0–100 are percentiles in the reference group {group} ({n} leaders); change against the baseline.",
    },
    "report.reference.all": {
        "fi": "Pisteet 0–100 ovat persentiilejä kaikkien seurattujen johtajien joukossa ({n}); muutos verrattuna vertailujaksoon.",
        "en": "Scores 0–100 are percentiles among all leaders followed ({n}); change against the baseline.",
    },
    "report.change": {"fi": "muutos {delta}", "en": "change {delta}"},
    "report.waiting_summary": {
        "fi": "{n} viestiä odottaa vastausta; vanhin on odottanut {age}.",
        "en": "{n} messages are waiting for an answer; the oldest has waited {age}.",
    },
    "report.waiting_one": {
        "fi": "1 viesti odottaa vastausta; se on odottanut {age}.",
        "en": "1 message is waiting for an answer; it has waited {age}.",
    },
    "report.waiting_none": {"fi": "Kaikkiin viesteihin on vastattu.", "en": "Every message has been answered."},
    "report.last_actions": {"fi": "Viime tapaamisessa ({date}) sovittiin", "en": "Agreed at the last session ({date})"},
    "report.no_sessions": {"fi": "Sparraustapaamisia ei ole vielä kirjattu.", "en": "No sparring sessions recorded yet."},
    "report.no_actions": {"fi": "Toimenpiteitä ei kirjattu.", "en": "No actions recorded."},
    "report.compares": {
        "fi": "Vertailee jaksoa {start} – {end} vertailujaksoon {bstart} – {bend}.",
        "en": "Compares {start} – {end} with the baseline {bstart} – {bend}.",
    },
    "report.coverage.ok": {
        "fi": "Kattavuus: vastausosuuden taustalla on {collected} kerättyä vastausta {reported}:sta, jotka alustat "
              "ilmoittavat ({share}).",
        "en": "Coverage: the answered share rests on {collected} collected of the {reported} replies the platforms "
              "report ({share}).",
    },
    "report.coverage.low": {
        "fi": "⚠ Kattavuus heikko: kerätty vain {collected} / {reported} alustojen ilmoittamasta vastauksesta ({share}; "
              "raja {threshold}, kun vastauksia on vähintään {min}). Reagointiluvut voivat olla harhaisia.",
        "en": "⚠ Low coverage: only {collected} of the {reported} replies the platforms report were collected ({share}; "
              "threshold {threshold} with at least {min} replies). The responsiveness figures may be off.",
    },
    "report.coverage.none": {
        "fi": "Kattavuus: alustat eivät ilmoita jaksolle vastauksia.",
        "en": "Coverage: the platforms report no replies for the period.",
    },
    "report.coverage.name": {"fi": "Vastausten kattavuus", "en": "Reply coverage"},
    "report.coverage.flag": {"fi": "Kattavuus heikko", "en": "Low coverage"},
    "report.partial_week": {
        "fi": "Kuluva viikko ({date} alkaen) ei ole mukana, koska se on vielä kesken.",
        "en": "The current week (from {date}) is left out because it is not over yet.",
    },
    "report.details": {"fi": "Kehitys ja osatekijät", "en": "Trend and components"},
    "report.in_baseline": {"fi": "vertailujaksolla {value}", "en": "baseline {value}"},
    "report.percentile_of": {"fi": "persentiili {value}", "en": "percentile {value}"},
    "report.week_of": {"fi": "viikko alkaen", "en": "week starting"},
    "col.metric": {"fi": "Mittari", "en": "Metric"},
    "col.value": {"fi": "Arvo", "en": "Value"},
    "col.baseline": {"fi": "Vertailu", "en": "Baseline"},
    "col.delta": {"fi": "Muutos", "en": "Change"},
    "col.n": {"fi": "n", "en": "n"},
    "col.percentile": {"fi": "Persentiili", "en": "Percentile"},
    "col.author": {"fi": "Kirjoittaja", "en": "Author"},
    "col.age": {"fi": "Odottanut", "en": "Waiting"},
    "col.text": {"fi": "Viesti", "en": "Message"},
    "col.goal": {"fi": "Tavoite", "en": "Goal"},
    "col.status": {"fi": "Tila", "en": "Status"},
    "col.progress": {"fi": "Edistyminen", "en": "Progress"},
    "col.deadline": {"fi": "Määräpäivä", "en": "Deadline"},
}


def fields(template: str) -> set[str]:
    """The ``str.format`` field names a template uses."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def tip_text(key: str, part: str, lang: str, **params) -> str:
    entry = TIPS[key][part]
    return entry.get(lang, entry["en"]).format(**params)


def phrase(key: str, lang: str, **params) -> str:
    entry = PHRASES[key]
    return entry.get(lang, entry["en"]).format(**params)


def core_names(status_prefix: str = "status.", *, capitalise: bool = False) -> dict[str, dict[str, str]]:
    """The composite names (``composite.<key>``) and goal statuses (``<status_prefix><status>``) in both
    languages, for the other text tables (dashboard, e-mails) to take from their one place."""
    from coaching.definitions import COMPOSITE_NAMES
    from coaching.goals import STATUSES

    def shown(text: str) -> str:
        return text[:1].upper() + text[1:] if capitalise else text

    out = {f"composite.{key}": {"fi": fi, "en": en} for key, (fi, en) in COMPOSITE_NAMES.items()}
    out.update({f"{status_prefix}{s}": {lang: shown(phrase(f"status.{s}", lang)) for lang in LANGS}
                for s in STATUSES})
    return out


def step_name(step: int, lang: str) -> str:
    return STEPS[step].get(lang, STEPS[step]["en"])
