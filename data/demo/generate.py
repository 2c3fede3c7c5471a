"""Generate Läsnä's bundled DEMO dataset: fictional leaders, fictional people, fictional posts.

Deterministic: the same code gives the same bytes (``python data/demo/generate.py``
rewrites ``data/demo/demo.json.gz``; a test checks the committed file matches).
Times are relative to ANCHOR; the loader shifts them by whole weeks so the demo
always ends in the current week.

Each leader has a communication *style* that later views must be able to see:
the conversationalist, the broadcaster, the steady one, the shooting star, the one
who restricts replies, the slow responder, the network builder, the results sharer (who also leaves
critical replies unanswered while answering the rest: the critical-vs-supportive answer rate).

Reply texts of critical replies and the avoider's dropped answers come from a separate random stream
(``_reply_rng``), so the main sequence — posts, timestamps, ids, answer links — is unchanged by them.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ANCHOR = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday; data ends in the week before
WEEKS = 80  # about 18 months
OUT = Path(__file__).with_name("demo.json.gz")

FI_FIRST = "Aino Anna Antti Eero Eeva Elina Emilia Hanna Heikki Helmi Ilkka Jaana Janne Johanna Juha Jukka Kaisa Kari Katja Kirsi Laura Leena Lauri Maria Marja Matti Mika Minna Noora Olli Outi Paula Petri Pirjo Riikka Risto Sari Satu Tapio Teemu Tiina Timo Tuomas Ulla Veera Ville".split()
FI_LAST = "Aalto Ahonen Eskola Hakala Heino Hiltunen Hämäläinen Jokinen Kallio Karjalainen Koivisto Koskinen Lehtonen Leinonen Lindholm Mattila Miettinen Nurmi Ojala Peltonen Rantanen Räsänen Saarinen Salo Salonen Toivonen Tuominen Turunen Vainio Väisänen".split()
EN_FIRST = "Alex Amelia Ben Chloe Daniel Ella Ethan Freya George Hannah Isaac Isla Jack James Jess Kate Leo Liam Lucy Maya Mia Noah Olivia Omar Priya Ravi Ruby Sam Sara Zoe".split()
EN_LAST = "Adams Bailey Brown Carter Chen Davies Evans Foster Gray Hughes Jones Khan Lee Lewis Martin Moore Murphy Patel Price Reed Scott Taylor Turner Walker Ward White Wood Wright Young".split()

# ---------------------------------------------------------------- texts (fi / en)
TOPICS = {
    "fi": ["sote-uudistus", "kuntatalous", "digipalvelut", "ilmastotyö", "työhyvinvointi", "koulutus",
           "asiakaspalvelu", "rekrytointi", "tekoäly hallinnossa", "kaavoitus", "nuorten hyvinvointi",
           "budjetti", "yhteistyö yritysten kanssa", "avoin data", "johtamiskulttuuri"],
    "en": ["the budget", "digital services", "climate work", "wellbeing at work", "recruitment",
           "customer experience", "AI in public services", "our strategy", "hybrid work", "open data",
           "the new school programme", "partnerships", "leadership culture", "housing", "innovation"],
}
TEXTS = {
    "fi": {
        "personal": [
            "Mietin tänään paljon {t}. Minulle tärkeintä on, että kuulemme ihmisiä ennen päätöksiä.",
            "Olen oppinut tänä vuonna, että {t} ei etene ilman luottamusta. Mä yritän olla läsnä enemmän.",
            "Kävin tänään tutustumassa työhön, joka liittyy {t}. Olin vaikuttunut siitä, mitä näin.",
            "Myönnän, että olin väärässä {t} suhteen. Opin paljon keskusteluista teidän kanssanne.",
            "Aamulenkillä ajattelin {t}. Kirjoitan tästä lisää viikonloppuna blogiini.",
        ],
        "question": [
            "Mitä mieltä olette: miten {t} pitäisi mielestänne kehittää seuraavaksi?",
            "Kysymys teille: mikä on ollut paras kokemuksenne, kun puhutaan aiheesta {t}?",
            "Onko teillä hyviä esimerkkejä siitä, miten {t} on ratkaistu muualla?",
            "Miksi {t} herättää niin paljon tunteita? Haluaisin kuulla eri näkökulmia.",
        ],
        "results": [
            "Hyviä uutisia: {t} eteni, ja asiakastyytyväisyys nousi {n} %. Raportti: {url}",
            "Vuoden tulokset julki: {t} säästi {n}000 euroa ja jonot lyhenivät. Lue lisää {url}",
            "Tavoite saavutettu! {t} -hankkeessa valmistui {n} uutta palvelua. {url}",
        ],
        "crediting": [
            "Kiitos @{m} upeasta työstä {t} parissa! Tämä ei olisi onnistunut ilman teitä.",
            "Iso kiitos tiimille ja erityisesti @{m}: {t} on nyt paremmalla tolalla.",
            "Hienoa työtä @{m}! Olen ylpeä siitä, mitä saitte aikaan: {t}.",
        ],
        "broadcast": [
            "Tiedote: {t} – uusi toimintamalli otetaan käyttöön ensi kuussa. {url}",
            "Julkaisimme tänään katsauksen aiheesta {t}. {url}",
            "Muistutus: seminaari aiheesta {t} järjestetään torstaina. Ilmoittautuminen {url}",
            "Organisaatiomme strategia päivitetty: {t} on yksi painopisteistä. {url}",
        ],
        "answer": [
            "Kiitos kysymyksestä! Hyvä huomio, selvitän asiaa ja palaan tähän.",
            "Olet oikeassa, tässä on vielä tekemistä. Otan tämän mukaan seuraavaan palaveriin.",
            "Hyvä pointti. Minusta tärkeintä on, että teemme tämän yhdessä henkilöstön kanssa.",
            "Kiitos palautteesta! Voitko kertoa lisää, mikä ei toiminut?",
            "Ymmärrän huolen. Päätös perustuu laskelmiin, jotka löytyvät täältä: https://example.fi/laskelmat",
        ],
        "outreach": [
            "Tosi hyvä kirjoitus! Meillä on samanlaisia kokemuksia, mitä jos vaihdettaisiin ajatuksia?",
            "Kiinnostava näkökulma. Miten teillä on ratkaistu {t}?",
            "Tästä olen samaa mieltä, ja lisäisin vielä yhden asian: {t} vaatii pitkäjänteisyyttä.",
        ],
        "incoming_support": ["Hyvä kirjoitus, kiitos!", "Juuri näin. Tätä tarvitaan lisää.", "Kiitos kun jaoit tämän!",
                             "Samaa mieltä, hienoa että nostat tämän esiin."],
        "incoming_question": ["Miten tämä näkyy meidän arjessa?", "Milloin tästä tulee lisätietoa?",
                              "Mitä tämä tarkoittaa budjetille?", "Onko tästä saatavilla raporttia?",
                              "Voisitteko avata, miksi päädyitte tähän?"],
        "incoming_critical": ["En ole samaa mieltä. Tämä ei huomioi pieniä kuntia.",
                              "Tässä unohtuu henkilöstön jaksaminen kokonaan.",
                              "Hieno puhe, mutta missä ovat teot?", "Tämä päätös oli virhe, valitettavasti."],
        "incoming_emoji": ["👏", "🙏", "💯", "❤️"],
    },
    "en": {
        "personal": [
            "I spent today thinking about {t}. For me, listening comes before deciding.",
            "I have learned this year that {t} does not move without trust. I want to be more present.",
            "I visited the team working on {t} today and I was genuinely impressed.",
            "I admit I was wrong about {t}. I learned a lot from our conversations here.",
            "On my morning walk I kept thinking about {t}. More on my blog this weekend.",
        ],
        "question": [
            "What do you think: how should we develop {t} next?",
            "Question for you: what is the best example of {t} you have seen?",
            "Has anyone solved {t} well elsewhere? I would love to learn from you.",
            "Why does {t} stir so many feelings? I want to hear different views.",
        ],
        "results": [
            "Good news: {t} moved forward and satisfaction rose {n}%. Report: {url}",
            "Annual results are out: {t} saved {n}00k and queues got shorter. Read more {url}",
            "Goal reached! {n} new services launched as part of {t}. {url}",
        ],
        "crediting": [
            "Thank you @{m} for the amazing work on {t}! We could not have done it without you.",
            "Huge thanks to the team, and especially @{m}: {t} is in a much better place.",
            "Kudos @{m}! Proud of what you achieved with {t}.",
        ],
        "broadcast": [
            "Announcement: {t} - a new operating model starts next month. {url}",
            "Today we published our review of {t}. {url}",
            "Reminder: the seminar on {t} is on Thursday. Register at {url}",
            "Our strategy has been updated: {t} is one of the priorities. {url}",
        ],
        "answer": [
            "Thanks for the question! Good point, I will look into it and come back to you.",
            "You are right, there is still work to do. I will take this to our next meeting.",
            "Good point. What matters most to me is that we do this together with our staff.",
            "Thanks for the feedback! Could you tell me more about what did not work?",
            "I understand the concern. The decision is based on figures you can find here: https://example.org/figures",
        ],
        "outreach": [
            "Great piece! We have similar experiences, shall we compare notes?",
            "Interesting angle. How did you handle {t}?",
            "Agree with this, and I would add one thing: {t} needs patience.",
        ],
        "incoming_support": ["Great post, thanks!", "Exactly this. We need more of it.", "Thanks for sharing!",
                             "Agree, good that you raise this."],
        "incoming_question": ["How will this show in our daily work?", "When will there be more information?",
                              "What does this mean for the budget?", "Is there a report on this?",
                              "Could you explain why you chose this?"],
        "incoming_critical": ["I disagree. This ignores smaller organisations.",
                              "This forgets staff wellbeing entirely.", "Nice words, but where is the action?",
                              "This decision was a mistake, unfortunately."],
        "incoming_emoji": ["👏", "🙏", "💯", "❤️"],
    },
}

# More critical replies (disagreement, complaints, sarcasm, critical questions), drawn with a separate
# random stream. Not in the stance training set (tests/test_reply_stance.py checks).
CRITICAL_TEXTS = {
    "fi": ["Miksi tästä ei kysytty henkilöstöltä ennen päätöstä?", "Taas yksi hanke, josta ei jää käteen mitään 🙄",
           "Kiitos vaan, mutta meidän alueella palvelut vain heikkenee.",
           "Aika kaunis kuva tilanteesta, joka on arjessa ihan toinen.",
           "Tämä on jo kolmas kerta kun sama lupaus tehdään. Milloin tapahtuu jotain?",
           "Ei kuulosta reilulta niitä kohtaan, jotka tätä työtä oikeasti tekee.",
           "Valitettavasti luvut eivät vastaa sitä, mitä asiakkaat kokevat.",
           "Upeeta, taas leikataan sieltä mistä on helpointa leikata."],
    "en": ["Why were staff not asked before this was decided?", "Yet another project that leaves nothing behind 🙄",
           "Thanks, but services in our area just keep getting worse.",
           "Quite a rosy picture of something that looks very different day to day.",
           "Third time the same promise has been made. When will anything happen?",
           "Doesn't sound fair to the people actually doing this work.",
           "Sadly these figures don't match what customers experience.",
           "Wonderful, cutting where it's easiest to cut once again."],
}


@dataclass(frozen=True)
class Style:
    """How a demo leader behaves. Rates are per week; probabilities per item."""

    posts_per_week: float
    mix: dict[str, float]  # post type -> weight
    answer_prob: float  # chance an incoming reply gets an answer
    answer_delay_h: tuple[float, float]  # min/max hours to answer
    outreach_per_week: float  # replies to other people's posts
    incoming_per_post: float
    restrict_prob: float = 0.0
    active_weeks: tuple[int, int] = (0, WEEKS)  # the active span (shooting star)
    regularity: float = 0.5  # 1 = same amount every week, 0 = very bursty
    audience: int = 150  # how many distinct people talk with this leader
    repost_per_week: float = 0.3
    avoids_critical: bool = False  # answers supportive and neutral replies, leaves critical ones


STYLES = {
    "conversationalist": Style(4, {"personal": 3, "question": 3, "results": 1, "crediting": 2, "broadcast": 1},
                               0.85, (0.2, 8), 3, 3.0, audience=220, regularity=0.6),
    "broadcaster": Style(5, {"broadcast": 6, "results": 2, "personal": 0.3, "question": 0.1, "crediting": 0.3},
                         0.03, (24, 200), 0.05, 1.2, audience=120, regularity=0.7, repost_per_week=1.0),
    "steady": Style(3, {"personal": 2, "question": 1, "results": 2, "crediting": 1, "broadcast": 1},
                    0.55, (2, 30), 1, 1.5, audience=140, regularity=0.95),
    "shooting_star": Style(9, {"personal": 2, "question": 1, "results": 1, "crediting": 1, "broadcast": 3},
                           0.5, (1, 24), 2, 2.0, active_weeks=(8, 20), audience=160, regularity=0.4),
    "restrictor": Style(3, {"broadcast": 3, "results": 2, "personal": 1, "question": 0.2, "crediting": 0.5},
                        0.15, (12, 96), 0.3, 1.2, restrict_prob=0.7, audience=100, regularity=0.7),
    "slow_responder": Style(2.5, {"personal": 2, "question": 1, "results": 1, "crediting": 1, "broadcast": 2},
                            0.7, (60, 160), 0.5, 1.8, audience=130, regularity=0.6),
    "network_builder": Style(3.5, {"crediting": 3, "question": 2, "personal": 2, "results": 1, "broadcast": 1},
                             0.75, (1, 20), 5, 2.2, audience=600, regularity=0.75),
    "results_sharer": Style(3, {"results": 4, "crediting": 2, "personal": 1, "broadcast": 1, "question": 0.5},
                            0.45, (4, 48), 0.8, 1.5, audience=150, regularity=0.8, avoids_critical=True),
}

LEADERS = [
    # name, language, cohort, style, title, extra accounts
    ("Liisa Virtanen", "fi", "Julkisjohtajat 2025–2026", "conversationalist", "kansliapäällikkö", ["mastodon"]),
    ("Markku Nieminen", "fi", "Julkisjohtajat 2025–2026", "broadcaster", "kaupunginjohtaja", ["feed"]),
    ("Aino Korhonen", "fi", "Julkisjohtajat 2025–2026", "steady", "hyvinvointialueen johtaja", ["feed"]),
    ("Jari Mäkinen", "fi", "Julkisjohtajat 2025–2026", "shooting_star", "toimialajohtaja", []),
    ("Sanna Heikkinen", "fi", "Julkisjohtajat 2025–2026", "restrictor", "virastopäällikkö", []),
    ("Pekka Laine", "fi", "Julkisjohtajat 2025–2026", "slow_responder", "sivistysjohtaja", []),
    ("Helena Lindqvist", "fi", "Julkisjohtajat 2025–2026", "network_builder", "kehitysjohtaja", ["mastodon"]),
    ("Emma Clarke", "en", "Leadership Circle 2026", "conversationalist", "Chief Executive", []),
    ("David Brooks", "en", "Leadership Circle 2026", "broadcaster", "Managing Director", []),
    ("Sofia Reyes", "en", "Leadership Circle 2026", "steady", "Director of Services", ["feed"]),
    ("Tom Becker", "en", "Leadership Circle 2026", "shooting_star", "Head of Digital", []),
    ("Grace Okafor", "en", "Leadership Circle 2026", "network_builder", "Director General", ["mastodon"]),
    ("Oliver Hansen", "en", "Leadership Circle 2026", "restrictor", "Chief Operating Officer", []),
    ("Maria Saarinen", "fi", "Leadership Circle 2026", "results_sharer", "toimitusjohtaja", []),
]
COHORTS = [
    {"name": "Julkisjohtajat 2025–2026", "visibility": "all"},
    {"name": "Leadership Circle 2026", "visibility": "aggregates"},
]

B32 = "abcdefghijklmnopqrstuvwxyz234567"


def _slug(name: str) -> str:
    table = str.maketrans("äöåÄÖÅ", "aoaAOA")
    return name.translate(table).lower().replace(" ", "-")


def _did(rng: random.Random) -> str:
    return "did:plc:" + "".join(rng.choice(B32) for _ in range(24))


def _rkey(rng: random.Random) -> str:
    return "3l" + "".join(rng.choice(B32) for _ in range(11))


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_people(rng: random.Random, lang: str, n: int) -> list[dict]:
    first, last = (FI_FIRST, FI_LAST) if lang == "fi" else (EN_FIRST, EN_LAST)
    people, seen = [], set()
    while len(people) < n:
        name = f"{rng.choice(first)} {rng.choice(last)}"
        handle = f"{_slug(name)}{'' if name not in seen else rng.randint(2, 99)}.bsky.social"
        if handle in {p['handle'] for p in people[-50:]}:
            continue
        seen.add(name)
        people.append({"did": _did(rng), "handle": handle, "name": name})
    return people


def _weekly_counts(rng: random.Random, style: Style) -> list[int]:
    counts = []
    start, end = style.active_weeks
    for week in range(WEEKS):
        if not start <= week < end:
            # a shooting star is almost silent outside its burst
            counts.append(1 if rng.random() < 0.04 else 0)
            continue
        if rng.random() > 0.5 + 0.5 * style.regularity:
            counts.append(0)  # an inactive week
            continue
        spread = (1 - style.regularity) * style.posts_per_week
        counts.append(max(0, round(rng.gauss(style.posts_per_week, spread + 0.3))))
    return counts


def generate_leader(rng: random.Random, index: int, entry: tuple) -> dict:
    name, lang, cohort, style_name, title, extra = entry
    style = STYLES[style_name]
    texts = TEXTS[lang]
    handle = f"{_slug(name)}.bsky.social"
    did = _did(rng)
    people = make_people(rng, lang, style.audience)
    # a long tail: a few regulars talk often, most only once or twice
    weights = [1 / (i + 1) ** 0.8 for i in range(len(people))]
    reply_rng = _reply_rng(index)
    critical_texts = texts["incoming_critical"] + CRITICAL_TEXTS[lang]
    start = ANCHOR - timedelta(weeks=WEEKS)
    posts: list[dict] = []
    interactions: list[dict] = []

    def new_post(kind: str, created: datetime, text: str, **extra_fields) -> dict:
        rkey = _rkey(rng)
        post = {
            "id": f"at://{did}/app.bsky.feed.post/{rkey}",
            "url": f"https://bsky.app/profile/{handle}/post/{rkey}",
            "created_at": _iso(created),
            "indexed_at": _iso(created + timedelta(seconds=rng.randint(1, 20))),
            "text": text,
            "lang": lang,
            "author_id": did,
            "mentions": [],
            "links": [],
            "tags": [],
            "like_count": 0,
            "reply_count": 0,
            "repost_count": 0,
            "quote_count": 0,
            "replies_restricted": False,
            "quotes_disabled": False,
            "hidden_replies": 0,
            "is_repost": False,
            "_kind": kind,
        }
        post.update(extra_fields)
        posts.append(post)
        return post

    def incoming(parent: dict, created: datetime, root_id: str, person: dict | None = None) -> dict:
        person = person or rng.choices(people, weights)[0]
        roll = rng.random()
        mood = ("incoming_emoji" if roll < 0.12 else "incoming_critical" if roll < 0.27
                else "incoming_question" if roll < 0.55 else "incoming_support")
        rkey = _rkey(rng)
        item = {
            "id": f"at://{person['did']}/app.bsky.feed.post/{rkey}",
            "kind": "reply",
            "author_id": person["did"],
            "author_handle": person["handle"],
            "author_name": person["name"],
            "created_at": _iso(created),
            "indexed_at": _iso(created + timedelta(seconds=rng.randint(1, 30))),
            "text": rng.choice(texts[mood]),  # drawn even when replaced below: keeps the main sequence
            "lang": lang,
            "url": f"https://bsky.app/profile/{person['handle']}/post/{rkey}",
            "parent_id": parent["id"],
            "root_id": root_id,
            "hidden": False,
            "_mood": mood,
            "_person": person,
        }
        if mood == "incoming_critical":
            item["text"] = reply_rng.choice(critical_texts)
        interactions.append(item)
        parent["reply_count"] += 1
        return item

    def maybe_answer(item: dict, root: dict, depth: int, drop: bool = False) -> None:
        """Answer ``item`` (or not). The avoider's answers to critical replies are generated as for
        everyone (the main sequence stays the same) and marked ``_drop``, with the rest of that thread."""
        drop = drop or (style.avoids_critical and item["_mood"] == "incoming_critical")
        if item["_mood"] == "incoming_emoji" and rng.random() < 0.7:
            return  # emoji reactions rarely need an answer
        prob = style.answer_prob * (0.6 if item["_mood"] == "incoming_critical" and style.answer_prob < 0.6 else 1)
        if rng.random() >= prob:
            return
        lo, hi = style.answer_delay_h
        when = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00")) + timedelta(
            hours=rng.uniform(lo, hi)
        )
        if when >= ANCHOR:
            return
        answer = new_post(
            "answer",
            when,
            rng.choice(texts["answer"]),
            reply_parent_id=item["id"],
            reply_root_id=root["id"],
            reply_parent_author_id=item["author_id"],
        )
        if drop:
            answer["_drop"] = True
        # the conversation continues (A -> L -> A -> L) now and then
        if depth < 3 and rng.random() < 0.35:
            follow = incoming(answer, when + timedelta(hours=rng.uniform(0.5, 20)), root["id"], item["_person"])
            if drop:
                follow["_drop"] = True
            if datetime.fromisoformat(follow["created_at"].replace("Z", "+00:00")) < ANCHOR:
                maybe_answer(follow, root, depth + 1, drop)
            else:
                interactions.remove(follow)
                answer["reply_count"] -= 1

    kinds = list(style.mix)
    kind_weights = [style.mix[k] for k in kinds]
    for week, count in enumerate(_weekly_counts(rng, style)):
        week_start = start + timedelta(weeks=week)
        for _ in range(count):
            created = week_start + timedelta(days=rng.uniform(0, 4.9), hours=rng.uniform(7, 12))
            kind = rng.choices(kinds, kind_weights)[0]
            topic = rng.choice(TOPICS[lang])
            mention = rng.choices(people, weights)[0] if kind == "crediting" else None
            url = f"https://example.{'fi' if lang == 'fi' else 'org'}/{_slug(topic)[:20]}-{week}"
            text = rng.choice(texts[kind]).format(
                t=topic, n=rng.randint(3, 40), url=url, m=mention["handle"] if mention else ""
            )
            post = new_post(kind, created, text)
            if "{url}" in text or url in text:
                post["links"] = [url]
            if mention:
                post["mentions"] = [mention["did"]]
            if rng.random() < 0.25:
                post["tags"] = [_slug(topic).replace("-", "")[:24]]
            if rng.random() < style.restrict_prob:
                post["replies_restricted"] = True
                post["quotes_disabled"] = rng.random() < 0.5
            # the audience reacts
            n_in = 0 if post["replies_restricted"] else int(rng.expovariate(1 / style.incoming_per_post))
            if kind == "question":
                n_in += rng.randint(1, 3)
            for _ in range(n_in):
                item = incoming(post, created + timedelta(hours=rng.expovariate(1 / 6)), post["id"])
                if datetime.fromisoformat(item["created_at"].replace("Z", "+00:00")) >= ANCHOR:
                    interactions.remove(item)
                    post["reply_count"] -= 1
                    continue
                if style.restrict_prob and rng.random() < 0.1:
                    item["hidden"] = True
                    post["hidden_replies"] += 1
                    continue
                maybe_answer(item, post, 0)
            post["like_count"] = int(rng.expovariate(1 / (8 + 4 * n_in)))
            post["repost_count"] = int(rng.expovariate(1 / 2))
            # a self-thread now and then
            if rng.random() < 0.08:
                new_post("thread", created + timedelta(minutes=3), "(2/2) " + rng.choice(texts["personal"]).format(t=topic),
                         reply_parent_id=post["id"], reply_root_id=post["id"], reply_parent_author_id=did)
        # outreach: replies to other people's own posts, and reposts
        if style.active_weeks[0] <= week < style.active_weeks[1]:
            for _ in range(_poisson(rng, style.outreach_per_week)):
                person = rng.choices(people, weights)[0]
                other = f"at://{person['did']}/app.bsky.feed.post/{_rkey(rng)}"
                new_post("outreach", week_start + timedelta(days=rng.uniform(0, 6.5)),
                         rng.choice(texts["outreach"]).format(t=rng.choice(TOPICS[lang])),
                         reply_parent_id=other, reply_root_id=other, reply_parent_author_id=person["did"],
                         mentions=[person["did"]] if rng.random() < 0.3 else [])
            for _ in range(_poisson(rng, style.repost_per_week)):
                person = rng.choices(people, weights)[0]
                other = f"at://{person['did']}/app.bsky.feed.post/{_rkey(rng)}"
                new_post("repost", week_start + timedelta(days=rng.uniform(0, 6.5)), "",
                         is_repost=True, repost_of_id=other)
    # a few mentions that are not replies
    for _ in range(int(style.audience / 10)):
        person = rng.choices(people, weights)[0]
        when = start + timedelta(days=rng.uniform(0, WEEKS * 7 - 1))
        rkey = _rkey(rng)
        interactions.append({
            "id": f"at://{person['did']}/app.bsky.feed.post/{rkey}", "kind": "mention",
            "author_id": person["did"], "author_handle": person["handle"], "author_name": person["name"],
            "created_at": _iso(when), "indexed_at": _iso(when + timedelta(seconds=5)),
            "text": f"@{handle} " + rng.choice(texts["incoming_question"]), "lang": lang,
            "url": f"https://bsky.app/profile/{person['handle']}/post/{rkey}",
            "parent_id": None, "root_id": None, "hidden": False,
        })
    posts = [p for p in posts if p["created_at"] < _iso(ANCHOR) and not p.get("_drop")]
    interactions = [i for i in interactions if not i.get("_drop")]
    for p in posts:
        p.pop("_kind")
    for i in interactions:
        i.pop("_mood", None)
        i.pop("_person", None)
    posts.sort(key=lambda p: p["created_at"])
    interactions.sort(key=lambda i: i["created_at"])
    accounts = [{"platform": "bluesky", "handle": handle, "stable_id": did,
                 "url": f"https://bsky.app/profile/{handle}", "posts": posts, "interactions": interactions}]
    for kind in extra:
        accounts.append(_extra_account(rng, kind, name, lang, style))
    return {"name": name, "language": lang, "cohorts": [cohort], "style": style_name, "title": title,
            "accounts": accounts}


def _extra_account(rng: random.Random, kind: str, name: str, lang: str, style: Style) -> dict:
    """A Mastodon account or a blog feed with a handful of long-form posts (no incoming data)."""
    slug = _slug(name)
    start = ANCHOR - timedelta(weeks=WEEKS)
    posts = []
    if kind == "mastodon":
        host = "mastodon.social" if lang == "en" else "mastodontti.fi"
        acct, base = f"{slug.split('-')[0]}@{host}", f"https://{host}/@{slug.split('-')[0]}"
        for n in range(int(WEEKS * style.posts_per_week / 6)):
            created = start + timedelta(days=rng.uniform(0, WEEKS * 7 - 1))
            sid = str(110000000000000000 + rng.randint(0, 10**15))
            posts.append({"id": f"https://{host}/users/{slug.split('-')[0]}/statuses/{sid}", "url": f"{base}/{sid}",
                          "created_at": _iso(created), "indexed_at": _iso(created), "lang": lang,
                          "text": rng.choice(TEXTS[lang]["personal"]).format(t=rng.choice(TOPICS[lang])),
                          "author_id": f"https://{host}/users/{slug.split('-')[0]}",
                          "like_count": rng.randint(0, 30), "reply_count": 0, "repost_count": rng.randint(0, 5)})
        return {"platform": "mastodon", "handle": acct, "stable_id": f"https://{host}/users/{slug.split('-')[0]}",
                "url": base, "posts": sorted(posts, key=lambda p: p["created_at"]), "interactions": []}
    feed_url = f"https://{slug}.example.{'fi' if lang == 'fi' else 'org'}/feed.xml"
    for n in range(WEEKS // 6):
        created = start + timedelta(weeks=6 * n + rng.uniform(0, 5))
        topic = rng.choice(TOPICS[lang])
        link = feed_url.replace("feed.xml", f"{n:03d}-{_slug(topic)[:20]}")
        posts.append({"id": link, "url": link, "created_at": _iso(created), "indexed_at": _iso(created),
                      "lang": lang, "author_id": feed_url, "links": [link],
                      "text": rng.choice(TEXTS[lang]["personal"]).format(t=topic) + " "
                      + rng.choice(TEXTS[lang]["results"]).format(t=topic, n=rng.randint(3, 40), url=link)})
    return {"platform": "feed", "handle": feed_url, "stable_id": feed_url, "url": feed_url, "posts": posts,
            "interactions": []}


def _reply_rng(index: int) -> random.Random:
    """The separate random stream for reply texts of leader ``index`` (not the main sequence)."""
    return random.Random(f"lasna-demo-replies-{index}")


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth; small lambdas only
    import math

    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate() -> dict:
    rng = random.Random(20261116)
    return {
        "format": "lasna-demo/1",
        "note": "DEMO DATA. Every person, account and post here is fictional, generated by data/demo/generate.py.",
        "anchor": _iso(ANCHOR),
        "cohorts": COHORTS,
        "leaders": [generate_leader(rng, i, entry) for i, entry in enumerate(LEADERS)],
    }


def render() -> bytes:
    payload = json.dumps(generate(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return gzip.compress(payload, compresslevel=9, mtime=0)


if __name__ == "__main__":
    OUT.write_bytes(render())
    data = generate()
    n_posts = sum(len(a["posts"]) for l in data["leaders"] for a in l["accounts"])
    n_int = sum(len(a["interactions"]) for l in data["leaders"] for a in l["accounts"])
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB): {len(data['leaders'])} leaders, {n_posts} posts, {n_int} interactions")
