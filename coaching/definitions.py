"""Registry of every metric and composite: names and definitions in Finnish and English, citations."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MetricDefinition:
    key: str
    name_fi: str
    name_en: str
    definition_fi: str
    definition_en: str
    citation: str
    higher_is_better: bool = True
    composite: str | None = None  # composite it feeds (equal weights), None = descriptive only
    kind: str = "rate"  # rate (shrunk x/n) | value | gap (between two rates, see gap_of)
    unit: str = "share"  # share | hours | points (difference of shares) | ...
    gap_of: tuple[str, str] | None = None  # kind "gap": the rate that is compared, and its reference rate

    def to_dict(self) -> dict:
        return asdict(self)


OPENNESS, RESPONSIVENESS, NETWORK, CONSISTENCY = "openness", "responsiveness", "network", "consistency"
COMPOSITES = (OPENNESS, RESPONSIVENESS, NETWORK, CONSISTENCY)

COMPOSITE_NAMES = {
    OPENNESS: ("Avoimuus", "Openness"),
    RESPONSIVENESS: ("Vastaavuus", "Responsiveness"),
    NETWORK: ("Verkosto", "Network"),
    CONSISTENCY: ("Säännöllisyys", "Consistency"),
}

_D = MetricDefinition
METRICS: dict[str, MetricDefinition] = {
    m.key: m
    for m in [
        _D("dialogue_share", "Keskusteluosuus", "Dialogue share",
           "Muille kirjoitettujen asiapitoisten vastausten osuus omista julkaisuista (ei uudelleenjakoja; "
           "pelkät emojit ja alle 3 sanan vastaukset eivät laske).",
           "Substantive replies to other people / own posts (reposts excluded; emoji-only and replies under "
           "3 words do not count).",
           "Lovejoy, Waters & Saxton 2012 (Public Relations Review 38); Graham et al. 2013 (ICS 16(5))",
           composite=OPENNESS),
        _D("questions", "Kysymykset yleisölle", "Questions to the audience",
           "Niiden aloitusjulkaisujen osuus, joissa kysytään yleisöltä (?, kysymyssana, -ko/-kö, wh-/apuverbi).",
           "Share of root posts with an audience-directed question ('?', interrogative, -ko/-kö clitic, "
           "wh-/auxiliary inversion).",
           "Rybalko & Seltzer 2010 (Public Relations Review 36)", composite=OPENNESS),
        _D("crediting", "Muiden kiittäminen", "Crediting others",
           "Julkaisut, joissa mainitaan toinen tili ja kiitetään tai annetaan tunnustusta / omat julkaisut.",
           "Posts that mention another account with a thanks/credit marker / own posts.",
           "Lovejoy & Saxton 2012 (JCMC 17)", composite=OPENNESS),
        _D("personal_voice", "Omalla äänellä", "Personal voice",
           "Yksikön ensimmäisen persoonan julkaisujen osuus (suomessa verbin persoona, omistusliite -ni, mä/mun).",
           "Share of posts in the first person singular (Finnish: verb person, possessive -ni, colloquial mä/mun).",
           "Pennebaker 2011; Metz, Kruikemeier & Lecheler 2020", composite=OPENNESS),
        _D("we_voice", "Me-puhe", "We voice",
           "Monikon ensimmäisen persoonan julkaisujen osuus (kuvaava, ei painoa).",
           "Share of posts in the first person plural (descriptive, no weight).",
           "Pennebaker 2011"),
        _D("results", "Tulosten näyttäminen", "Showing results",
           "Julkaisut, jotka kertovat työn tuloksista (luokitin tai tulosmerkit) tai linkittävät lähteeseen / omat julkaisut.",
           "Posts sharing outcomes of work (classifier or result markers) or linking a source / own posts.",
           "Huang & Yeo 2018; Heavey et al. 2020", composite=OPENNESS),
        _D("gated_share", "Rajatut keskustelut", "Restricted conversations",
           "Aloitusjulkaisut, joissa vastaamista on rajattu, lainaus estetty tai vastauksia piilotettu / aloitusjulkaisut.",
           "Root posts with replies restricted (threadgate), quotes disabled (postgate) or hidden replies / root posts.",
           "AT Protocol lexicons (app.bsky.feed.threadgate, postgate); Tromble 2018",
           higher_is_better=False, composite=OPENNESS),
        _D("response_rate", "Vastausaste", "Response rate",
           "Seitsemän päivän sisällä vastatut saapuneet vastaukset ja maininnat / vastausta ansaitsevat "
           "(ei piilotettuja, poistettuja eikä pelkkiä emojeita).",
           "Incoming replies/mentions answered within 7 days / incoming that merit an answer (hidden, deleted "
           "and emoji-only excluded).",
           "Tromble 2018; Agarwal, Sastry & Wood 2019 (ICWSM); Sprout Social response rate",
           composite=RESPONSIVENESS),
        _D("response_time", "Vastausaika", "Response time",
           "Mediaaniaika tunteina saapuneesta viestistä johtajan vastaukseen, Kaplan–Meier, vastaamattomat "
           "sensuroitu; aikaleimat indexedAt.",
           "Median hours from an incoming message to the leader's answer, Kaplan–Meier with unanswered items "
           "censored; indexedAt timestamps.",
           "Gunarathne, Rui & Seidmann 2014; Sprout/Hootsuite first-response time",
           higher_is_better=False, composite=RESPONSIVENESS, kind="value", unit="hours"),
        _D("critical_response_rate", "Vastausaste kriittisiin", "Response rate to critical replies",
           "Seitsemän päivän sisällä vastatut kriittiset saapuneet viestit / kriittiset vastausta ansaitsevat "
           "viestit (kriittisyys: oma luokitin, ks. METRICS.md; kuvaava).",
           "Critical incoming messages answered within 7 days / critical incoming that merit an answer "
           "(stance from our reply classifier, see METRICS.md; descriptive).",
           "Tromble 2018 (New Media & Society 20(2))"),
        _D("supportive_response_rate", "Vastausaste kannustaviin", "Response rate to supportive replies",
           "Seitsemän päivän sisällä vastatut kannustavat saapuneet viestit / kannustavat vastausta "
           "ansaitsevat viestit (kuvaava).",
           "Supportive incoming messages answered within 7 days / supportive incoming that merit an answer "
           "(descriptive).",
           "Tromble 2018 (New Media & Society 20(2))"),
        _D("critical_answer_gap", "Kriitikoille vastaaminen", "Answering critics",
           "Kriittisten viestien vastausaste miinus kannustavien vastausaste, prosenttiyksikköinä. Kriittisten "
           "vastausaste kutistetaan kohti johtajan omaa kannustavien vastausastetta (m = 5 näennäishavaintoa): "
           "vähällä näytöllä ero on lähellä nollaa. 0 = kriitikoita ei vältellä; miinus = kriittiset jäävät "
           "useammin vaille vastausta. Järjestyksessä plus-arvot lasketaan nollaksi.",
           "Response rate to critical replies minus the rate to supportive ones, in percentage points. The "
           "critical rate is shrunk towards the leader's own supportive rate (m = 5 pseudo-observations), so "
           "little evidence gives a gap near zero. 0 = critics are not avoided; negative = critical messages go "
           "unanswered more often. Ranked with positive gaps counted as 0.",
           "Tromble 2018 (New Media & Society 20(2)); SCORING.md", composite=OPENNESS, kind="gap",
           unit="points", gap_of=("critical_response_rate", "supportive_response_rate")),
        _D("re_entry", "Paluu keskusteluun", "Re-entry",
           "Aloitusjulkaisut, joihin johtaja vastasi muiden vastausten jälkeen / aloitusjulkaisut, joihin "
           "muut vastasivat.",
           "Root posts where the leader replied after others replied / root posts with at least one reply "
           "from others.",
           "Backstrom et al. 2013 (WSDM)", composite=RESPONSIVENESS),
        _D("exchange_share", "Vuoropuhelut", "Back-and-forth threads",
           "Keskustelut, joissa vuorot toistuvat (muu→johtaja→muu→johtaja) / keskustelut, joihin johtaja osallistui.",
           "Threads with an exchange other→leader→other→leader / threads the leader took part in.",
           "Graham et al. 2013; Sprout average thread size"),
        _D("turns_per_thread", "Vuoroja keskustelussa", "Turns per thread",
           "Johtajan vastausten keskimäärä keskustelua kohden (kuvaava).",
           "Mean leader replies per thread the leader took part in (descriptive).",
           "Graham et al. 2013", kind="value", unit="turns"),
        _D("reciprocity", "Vastavuoroisuus", "Reciprocity",
           "Tilit, joille johtaja on kirjoittanut, niiden joukossa, jotka kirjoittivat johtajalle / johtajalle kirjoittaneet.",
           "|Out ∩ In| / |In|: accounts the leader addressed among those who addressed the leader.",
           "Kwak et al. 2010; Nuernbergk & Conrad 2016", composite=NETWORK),
        _D("interlocutors", "Keskustelukumppanit", "Interlocutors",
           "Eri tilien määrä, joille johtaja vastasi.", "Distinct accounts the leader replied to (N).",
           "Lietz et al. 2014 (ICWSM)", composite=NETWORK, kind="value", unit="accounts"),
        _D("effective_interlocutors", "Tehollinen kumppanimäärä", "Effective interlocutors",
           "exp(H), H = −Σ p ln p vastausten jakaumasta tilien kesken.",
           "exp(H), H = −Σ pᵤ ln pᵤ over the leader's replies per account.",
           "Lietz et al. 2014 (ICWSM)", composite=NETWORK, kind="value", unit="accounts"),
        _D("evenness", "Tasaisuus", "Evenness",
           "H / ln N: vastaako johtaja tasaisesti monelle vai toistuvasti samoille (N ≥ 2).",
           "H / ln N: replies spread evenly across many accounts rather than the same few (N ≥ 2).",
           "Lietz et al. 2014 (ICWSM)", composite=NETWORK, kind="value", unit="ratio"),
        _D("new_interlocutors", "Uudet kumppanit kuukaudessa", "New interlocutors per month",
           "Tilit, joille johtaja vastasi ensimmäistä kertaa, kuukautta kohden.",
           "Accounts the leader replied to for the first time, per month.",
           "Lietz et al. 2014 (ICWSM)", composite=NETWORK, kind="value", unit="accounts/month"),
        _D("active_weeks", "Aktiiviset viikot", "Active weeks",
           "Viikot, joilla vähintään yksi oma julkaisu / viikot jaksossa.",
           "Weeks with at least one own post / weeks in the period.",
           "Goh & Barabási 2008 (EPL 81)", composite=CONSISTENCY),
        _D("burstiness_score", "Tasainen rytmi", "Steady rhythm",
           "1 − max(0, Bₙ), Bₙ = (√(n+1)·r − √(n−1)) / ((√(n+1) − 2)·r + √(n−1)), r = σ/μ julkaisuväleistä.",
           "1 − max(0, Bₙ), Bₙ = (√(n+1)·r − √(n−1)) / ((√(n+1) − 2)·r + √(n−1)), r = σ/μ of inter-post gaps.",
           "Goh & Barabási 2008 (EPL 81); Kim & Jo 2016 (PRE 94)", composite=CONSISTENCY, kind="value",
           unit="score"),
        _D("tenure_days", "Kokemus", "Tenure",
           "Päivät ensimmäisestä havaitusta julkaisusta jakson loppuun (kuvaava).",
           "Days from the first observed post to the end of the period (descriptive).",
           "Goh & Barabási 2008", kind="value", unit="days"),
    ]
}


def definitions_table() -> list[dict]:
    return [m.to_dict() for m in METRICS.values()]


def composite_components(composite: str) -> list[str]:
    return [m.key for m in METRICS.values() if m.composite == composite]
