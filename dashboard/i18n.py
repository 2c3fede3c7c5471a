"""UI language: Finnish and English strings, Babel for dates and numbers.

The chosen language is kept in the session and in the ``lang`` query parameter,
so a reload or a shared link keeps it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_timedelta as _format_timedelta
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent

from coaching.texts import core_names

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
    "scores.title": {"fi": "Läsnäolon osa-alueet", "en": "Presence scores"},
    "scores.caption": {
        "fi": "0–100 suhteessa muihin seurattuihin johtajiin, viimeiset {days} päivää; muutos edelliseen jaksoon.",
        "en": "0–100 relative to the other leaders followed, last {days} days; change against the period before.",
    },
    "scores.pending": {
        "fi": "Pisteitä lasketaan uusimmista tiedoista; ne ilmestyvät tähän hetken kuluttua.",
        "en": "Scores are being computed from the latest data; they appear here in a moment.",
    },
    "scores.failed": {
        "fi": "Pisteitä ei voitu laskea. Katso palvelimen loki.",
        "en": "The scores could not be computed. See the server log.",
    },
    "cohorts.scores": {"fi": "Ryhmän läsnäolon osa-alueet", "en": "The cohort's presence scores"},
    "cohorts.scores_caption": {
        "fi": "Viimeiset {days} päivää, 0–100 = persentiili vertailuryhmässä: {reference}.",
        "en": "The last {days} days, 0–100 = percentile within the reference group: {reference}.",
    },
    "reference.cohort": {"fi": "ryhmä {cohort}", "en": "the cohort {cohort}"},
    "reference.all": {"fi": "kaikki seuratut johtajat", "en": "all leaders followed"},
    "cohorts.median_only": {"fi": "Ryhmän mediaanit.", "en": "The cohort's medians."},
    "cohorts.delta_is_median": {
        "fi": "Sinun pisteesi; muutosluku on ero ryhmän mediaaniin.",
        "en": "Your scores; the change figure is the difference from the cohort median.",
    },
    "chart.composites": {"fi": "Osa-alueet kuukausittain", "en": "Scores per month"},
    "chart.score": {"fi": "Pisteet", "en": "Score"},
    "col.host": {"fi": "Kone", "en": "Host"},
    "col.age": {"fi": "Odottanut", "en": "Waiting"},
    "col.author": {"fi": "Kirjoittaja", "en": "Author"},
    "col.open": {"fi": "Avaa", "en": "Open"},
    "col.metric": {"fi": "Mittari", "en": "Measure"},
    "col.period": {"fi": "Jakso", "en": "Period"},
    "col.baseline": {"fi": "Vertailujakso", "en": "Baseline"},
    "col.replies": {"fi": "Vastauksia", "en": "Replies"},
    "col.likes": {"fi": "Tykkäyksiä", "en": "Likes"},
    "col.new_posts": {"fi": "Uudet julkaisut", "en": "New posts"},
    "col.new_interactions": {"fi": "Uudet vastaukset", "en": "New replies"},
    "col.requests": {"fi": "Pyyntöjä", "en": "Requests"},
    "col.last_ok": {"fi": "Viimeisin onnistunut keräys", "en": "Last successful collection"},
    "col.stale": {"fi": "Vanhentunut", "en": "Stale"},
    "role.admin": {"fi": "ylläpitäjä", "en": "admin"},
    "role.consultant": {"fi": "konsultti", "en": "consultant"},
    "role.executive": {"fi": "johtaja", "en": "executive"},
    "auth.login_title": {"fi": "Kirjaudu sisään", "en": "Sign in"},
    "auth.username": {"fi": "Käyttäjätunnus", "en": "User name"},
    "auth.password": {"fi": "Salasana", "en": "Password"},
    "auth.login_button": {"fi": "Kirjaudu", "en": "Sign in"},
    "auth.failed": {"fi": "Väärä käyttäjätunnus tai salasana.", "en": "Wrong user name or password."},
    "auth.locked": {
        "fi": "Liian monta epäonnistunutta yritystä. Odota minuutti ja yritä uudelleen.",
        "en": "Too many failed attempts. Wait a minute and try again.",
    },
    "auth.logout": {"fi": "Kirjaudu ulos", "en": "Sign out"},
    "auth.signed_in_as": {"fi": "Kirjautuneena: {name} ({role})", "en": "Signed in as {name} ({role})"},
    "auth.sso_intro": {
        "fi": "Kirjaudu organisaatiosi kertakirjautumisella.",
        "en": "Sign in with your organisation's single sign-on.",
    },
    "auth.sso_button": {"fi": "Kirjaudu kertakirjautumisella", "en": "Sign in with single sign-on"},
    "auth.sso_unknown": {
        "fi": "Sähköpostiosoitteellesi ei ole Läsnä-käyttäjää. Pyydä ylläpitäjää lisäämään se: "
              "`lasna users add NIMI --role ... --email OSOITE --no-password`.",
        "en": "There is no Läsnä user for your e-mail address. Ask an admin to add one: "
              "`lasna users add NAME --role ... --email ADDRESS --no-password`.",
    },
    "auth.sso_unverified": {
        "fi": "Tunnistuspalvelu ei ole vahvistanut sähköpostiosoitettasi, joten et voi kirjautua. "
              "Vahvista osoite tunnistuspalvelussa tai pyydä ylläpitäjää apuun.",
        "en": "Your identity provider has not verified your e-mail address, so you cannot sign in. "
              "Verify the address with your identity provider or ask an admin.",
    },
    "auth.demo_local_only": {
        "fi": "Kirjautumaton demo näkyy vain tältä koneelta osoitteessa http://127.0.0.1 tai http://localhost. "
              "Tämä pyyntö tuli toisella nimellä, joten tietoja ei näytetä. Luo käyttäjä palvelimella: "
              "`lasna users add NIMI --role admin`.",
        "en": "The demo without login answers only on this machine at http://127.0.0.1 or http://localhost. "
              "This request came under another name, so no data is shown. Create a user on the server: "
              "`lasna users add NAME --role admin`.",
    },
    "cohorts.too_small": {
        "fi": "Ryhmässä on liian vähän muita jäseniä koostelukujen näyttämiseen (vähintään {k} muuta), "
              "jotta kenenkään luvut eivät paljastu.",
        "en": "Too few other members for cohort figures (at least {k} others are needed), so that no one's "
              "numbers can be told apart.",
    },
    "nav.audit": {"fi": "Tapahtumaloki", "en": "Audit log"},
    "audit.title": {"fi": "Tapahtumaloki", "en": "Audit log"},
    "audit.caption": {
        "fi": "Kuka katsoi tai vei kenenkään tietoja ja kuka muutti johtajia, ryhmiä, tavoitteita, tapaamisia, "
              "käyttäjiä ja poistoja. Uusimmat ensin.",
        "en": "Who viewed or exported whose data, and who changed leaders, cohorts, goals, sessions, users and "
              "erasures. Newest first.",
    },
    "audit.unavailable": {
        "fi": "Tämän tietokannan versio ei vielä sisällä tapahtumalokia (`lasna db upgrade`).",
        "en": "This database does not have the audit log yet (`lasna db upgrade`).",
    },
    "audit.none": {"fi": "Ei tapahtumia.", "en": "No events."},
    "col.actor": {"fi": "Kuka", "en": "Who"},
    "col.action": {"fi": "Tapahtuma", "en": "Action"},
    "col.target": {"fi": "Kohde", "en": "Target"},
    "col.via": {"fi": "Kautta", "en": "Via"},
    "auth.no_users": {
        "fi": "Tälle palvelimelle ei ole vielä luotu käyttäjiä, joten tietoja ei näytetä. "
              "Luo ensimmäinen ylläpitäjä palvelimella: `lasna users add NIMI --role admin` "
              "(tai käynnistä demo vain omalle koneelle: `lasna dashboard --host 127.0.0.1`).",
        "en": "No users have been created for this server, so no data is shown. "
              "Create the first admin on the server: `lasna users add NAME --role admin` "
              "(or run the demo for this machine only: `lasna dashboard --host 127.0.0.1`).",
    },
    "demo.local_banner": {
        "fi": "Demotila ilman kirjautumista: palvelin kuuntelee vain tätä konetta (localhost). "
              "Ennen jakamista muille luo käyttäjät: `lasna users add`.",
        "en": "Demo mode without sign-in: the server listens on this machine only (localhost). "
              "Before sharing it, create users with `lasna users add`.",
    },
    "access.denied": {"fi": "Sinulla ei ole pääsyä näihin tietoihin.", "en": "You do not have access to this data."},
    "access.page_denied": {"fi": "Sinulla ei ole pääsyä tälle sivulle.", "en": "You do not have access to this page."},
    "access.leader_denied": {
        "fi": "Pyydettyä johtajaa ei ole sinulle näkyvissä. Näytetään oma näkymäsi.",
        "en": "The requested leader is not visible to you. Showing your own view instead.",
    },
    "empty.own_leader": {
        "fi": "Käyttäjätunnukseesi ei ole liitetty johtajaa. Pyydä ylläpitäjää korjaamaan se.",
        "en": "No leader is linked to your account. Ask an admin to fix it.",
    },
    "empty.assigned": {
        "fi": "Sinulle ei ole vielä osoitettu johtajia.",
        "en": "No leaders have been assigned to you yet.",
    },
    "coverage.ok": {
        "fi": "Vastausosuus perustuu {collected} kerättyyn vastaukseen; alusta ilmoittaa {reported} ({share}).",
        "en": "The answered share rests on {collected} collected replies; the platform reports {reported} ({share}).",
    },
    "coverage.low": {
        "fi": "⚠ Kattavuus heikko: kerätty {collected} / {reported} alustan ilmoittamasta vastauksesta ({share}). "
              "Vastausosuus voi olla harhainen.",
        "en": "⚠ Low coverage: {collected} of the {reported} replies the platform reports were collected ({share}). "
              "The answered share may be off.",
    },
    "presence.compare": {
        "fi": "Viimeiset {days} päivää; muutos edelliseen yhtä pitkään jaksoon.",
        "en": "Last {days} days; change against the {days} days before.",
    },
    "presence.latest": {"fi": "Viimeisin tallennettu julkaisu: {date}", "en": "Latest stored post: {date}"},
    "waiting.title": {"fi": "Odottavat keskustelut", "en": "Conversations waiting"},
    "waiting.none": {
        "fi": "Viimeisen 30 päivän vastauksiin ja mainintoihin on vastattu.",
        "en": "Every reply and mention of the last 30 days has been answered.",
    },
    "waiting.caption": {
        "fi": "{n} vastausta, mainintaa tai kommenttia viimeisen 30 päivän ajalta ilman vastaustasi, uusin ensin.",
        "en": "{n} replies, mentions or comments from the last 30 days without an answer from you, newest first.",
    },
    "sparring.period_vs_baseline": {"fi": "Jakso ja vertailujakso", "en": "Period and baseline"},
    "sparring.baseline_caption": {
        "fi": "Jakso: viimeiset {days} päivää. Vertailujakso: sitä edeltävät {days} päivää (katkoviiva kuvassa).",
        "en": "Period: the last {days} days. Baseline: the {days} days before (dashed line in the chart).",
    },
    "sparring.posts": {"fi": "Julkaisut jaksolla", "en": "Posts in the period"},
    "sparring.pick_post": {
        "fi": "Valitse rivi nähdäksesi julkaisun ja sen saamat vastaukset.",
        "en": "Select a row to see the post and the replies it received.",
    },
    "sparring.selected": {"fi": "Valittu julkaisu", "en": "Selected post"},
    "sparring.open_original": {"fi": "Avaa alkuperäinen", "en": "Open the original"},
    "sparring.all_mine": {"fi": "Kaikki johtajani jaksolla", "en": "All my leaders in the period"},
    "cohorts.none": {"fi": "Sinulle ei näy yhtään ryhmää.", "en": "No cohort is visible to you."},
    "cohorts.members": {"fi": "Jäseniä", "en": "Members"},
    "cohorts.leaderboard": {"fi": "Jäsenet rinnakkain", "en": "Members side by side"},
    "cohorts.aggregates_only": {
        "fi": "Tämän ryhmän jäsenet näkevät vain ryhmän yhteiset luvut.",
        "en": "Members of this cohort see only the cohort's aggregate figures.",
    },
    "visibility.all": {"fi": "jäsenet näkevät toisensa", "en": "members see each other"},
    "visibility.aggregates": {"fi": "vain ryhmän yhteisluvut", "en": "cohort aggregates only"},
    "visibility.consultant": {"fi": "vain konsultit", "en": "consultants only"},
    "chart.cohort_weekly": {"fi": "Julkaisut viikossa jäsentä kohden", "en": "Posts per member and week"},
    "chart.band": {"fi": "Keskimmäinen puolikas (25–75 %)", "en": "Middle half (25–75%)"},
    "chart.median": {"fi": "Mediaani", "en": "Median"},
    "chart.no_posts": {"fi": "Ei julkaisuja tällä jaksolla", "en": "No posts in this period"},
    "chart.partial_week": {"fi": "kuluva viikko, kesken", "en": "this week, not over yet"},
    "chart.partial_month": {"fi": "kuukausi kesken", "en": "month not over yet"},
    "chart.you": {"fi": "Sinä", "en": "You"},
    "health.latest_run": {"fi": "Viimeisimmän ajon tulos tileittäin", "en": "Latest run, per account"},
    "health.stale": {
        "fi": "{n} tiliä ilman uutta julkaisua tai onnistunutta keräystä {days} päivään.",
        "en": "{n} account(s) without a new post or a successful collection in {days} days.",
    },
    "manage.title": {"fi": "Johtajat ja tilit", "en": "Leaders and accounts"},
    "manage.add": {"fi": "Lisää johtaja tai tili", "en": "Add a leader or account"},
    "manage.add_help": {
        "fi": "Olemassa olevan johtajan nimellä lomake lisää hänelle tilit ja ryhmän.",
        "en": "With the name of an existing leader, the form adds the accounts and cohort to them.",
    },
    "manage.remove": {"fi": "Poista", "en": "Remove"},
    "manage.name": {"fi": "Nimi", "en": "Name"},
    "manage.language": {"fi": "Pääkieli", "en": "Main language"},
    "manage.bluesky": {"fi": "Bluesky-tunnus", "en": "Bluesky handle"},
    "manage.mastodon": {"fi": "Mastodon-osoite", "en": "Mastodon address"},
    "manage.feed": {"fi": "Syötteen tai blogin osoite", "en": "Feed or blog URL"},
    "manage.cohort": {"fi": "Ryhmä (valinnainen)", "en": "Cohort (optional)"},
    "manage.add_button": {"fi": "Lisää", "en": "Add"},
    "manage.added": {"fi": "Lisätty: {name}", "en": "Added {name}"},
    "manage.removed": {"fi": "Poistettu.", "en": "Removed."},
    "manage.remove_account": {"fi": "Poista tili", "en": "Remove account"},
    "manage.remove_leader": {"fi": "Lopeta johtajan seuraaminen", "en": "Stop following this leader"},
    "manage.confirm_stop": {
        "fi": "Lopetetaanko johtajan {name} seuraaminen? Keräys loppuu; historia säilyy.",
        "en": "Stop following {name}? Collection stops; the history is kept.",
    },
    "manage.confirm_yes": {"fi": "Kyllä, lopeta seuraaminen", "en": "Yes, stop following"},
    "manage.confirm_no": {"fi": "Peruuta", "en": "Cancel"},
    "collect.title": {"fi": "Käynnistä keräys", "en": "Start a collection"},
    "collect.scope": {"fi": "Kenen tilit", "en": "Whose accounts"},
    "collect.everyone": {"fi": "Kaikki johtajat", "en": "All leaders"},
    "collect.start": {"fi": "Kerää nyt", "en": "Collect now"},
    "collect.running": {"fi": "Kerätään ({who}): {done} / {total} tiliä", "en": "Collecting ({who}): {done} / {total} accounts"},
    "collect.done": {
        "fi": "Keräys valmis ({who}, {at}): {n} tiliä, {failed} epäonnistui; {posts} uutta julkaisua, {replies} uutta vastausta.",
        "en": "Collection finished ({who}, {at}): {n} accounts, {failed} failed; {posts} new posts, {replies} new replies.",
    },
    "collect.failed": {"fi": "Keräys epäonnistui: {error}", "en": "The collection failed: {error}"},
    "collect.already": {
        "fi": "Toinen keräys oli jo käynnissä (esim. ajastettu `lasna collect`); mitään ei tehty.",
        "en": "Another collection was already running (e.g. the scheduled `lasna collect`); nothing was done.",
    },
    "health.state.first": {"fi": "Odottaa ensimmäistä keräystä", "en": "Waiting for first collection"},
    "health.state.error": {"fi": "Virhe viime keräyksessä", "en": "Error in the last run"},
    "health.state.stale": {"fi": "Ei uutta", "en": "Stale"},
    "health.state.ok": {"fi": "Ajan tasalla", "en": "Up to date"},
    "health.first_pending": {
        "fi": "{n} uutta tiliä odottaa ensimmäistä keräystä.",
        "en": "{n} new account(s) waiting for their first collection.",
    },
    "col.state": {"fi": "Tila", "en": "State"},
    "empty.accounts": {"fi": "Ei seurattuja tilejä.", "en": "No accounts followed."},
    "manage.remove_help": {
        "fi": "Seuraamisen lopettaminen säilyttää historian; kaiken poistaminen: `lasna leaders remove --forget`.",
        "en": "Stopping keeps the history; to delete everything use `lasna leaders remove --forget`.",
    },
    "waiting.ago": {"fi": "odottanut {age}", "en": "waiting {age}"},
    "waiting.open": {"fi": "Avaa ja vastaa", "en": "Open and answer"},
    "waiting.more": {"fi": "Näytä {n} muuta", "en": "Show {n} more"},
    "empty.table": {"fi": "Ei rivejä.", "en": "Nothing to show."},
    "empty.recent": {"fi": "Ei julkaisuja tällä jaksolla.", "en": "No posts in this period."},
    "empty.replies": {"fi": "Julkaisuun ei ole vastattu.", "en": "Nobody has replied to this post."},
    "cohorts.own_scores": {"fi": "Omat läsnäolon pisteesi", "en": "Your own presence scores"},
    "cohorts.own_scores_caption": {
        "fi": "Omat pisteesi viimeisiltä {days} päivältä; muutos on ero ryhmän mediaaniin.",
        "en": "Your own scores over the last {days} days; the change is the difference from the cohort's median.",
    },
    "waiting.kind.reply": {"fi": "Vastaus", "en": "Reply"},
    "waiting.kind.mention": {"fi": "Maininta", "en": "Mention"},
    "waiting.kind.comment": {"fi": "Kommentti", "en": "Comment"},
    "tips.title": {"fi": "Tämän viikon vinkit", "en": "This week's tips"},
    "coach.pending": {
        "fi": "Vinkkejä ja tavoitteita lasketaan; sivu päivittyy, kun ne ovat valmiita.",
        "en": "Tips and goals are being worked out; the page updates when they are ready.",
    },
    "coach.off": {"fi": "Valmennus on poissa käytöstä tällä palvelimella.", "en": "Coaching is turned off on this server."},
    "coach.failed": {
        "fi": "Vinkkien laskeminen epäonnistui; ylläpitäjä näkee syyn lokista.",
        "en": "Working out the tips failed; an administrator can see why in the log.",
    },
    "tips.none": {"fi": "Ei uusia vinkkejä tälle viikolle.", "en": "No new tips this week."},
    "tips.why": {"fi": "Miksi", "en": "Why"},
    "tips.this_week": {"fi": "Tällä viikolla", "en": "This week"},
    "tips.evidence": {"fi": "Mihin vinkki perustuu", "en": "Based on"},
    "tips.open": {"fi": "avaa", "en": "open"},
    "tips.done": {"fi": "Tehty", "en": "Done"},
    "tips.not_now": {"fi": "Ei nyt", "en": "Not now"},
    "tips.marked_done": {"fi": "Hienoa! Merkitty tehdyksi.", "en": "Well done! Marked as done."},
    "tips.snoozed": {"fi": "Vinkki piilotettu neljäksi viikoksi.", "en": "Tip hidden for four weeks."},
    "goals.title": {"fi": "Tavoitteet", "en": "Goals"},
    "goals.none": {"fi": "Tavoitteita ei ole vielä asetettu.", "en": "No goals set yet."},
    "goals.target": {"fi": "Tavoite", "en": "Target"},
    "goals.current": {"fi": "Nyt", "en": "Now"},
    "goals.deadline": {"fi": "Määräpäivä", "en": "Deadline"},
    "goals.status": {"fi": "Tilanne", "en": "Status"},
    "goals.description": {"fi": "Kuvaus", "en": "Description"},
    "goals.add": {"fi": "Aseta tavoite", "en": "Set a goal"},
    "goals.target_help": {
        "fi": "Tavoitearvo (osuudet 0–1, vasteaika tunteina, kokonaisluvut 0–100)",
        "en": "Target value (shares 0–1, response time in hours, composites 0–100)",
    },
    "goals.target_range": {
        "fi": "Mittarin omassa yksikössä: {lo}–{hi} {suffix}. Desimaalipilkku käy (0,8 = 80 % osuuksille).",
        "en": "In the metric's own unit: {lo}–{hi} {suffix}. A decimal comma is fine (0.8 = 80% for shares).",
    },
    "goals.will_save": {"fi": "Tallentuu tavoitteeksi: {value}", "en": "Will be saved as: {value}"},
    "goals.need_target": {"fi": "Anna tavoitearvo.", "en": "Enter a target value."},
    "goals.save": {"fi": "Tallenna tavoite", "en": "Save goal"},
    "goals.saved": {"fi": "Tavoite tallennettu.", "en": "Goal saved."},
    "session.record": {"fi": "Kirjaa sparraustapaaminen", "en": "Record a sparring session"},
    "session.period": {"fi": "Tarkasteltava jakso", "en": "Period under review"},
    "session.baseline": {"fi": "Vertailujakso", "en": "Baseline"},
    "session.notes": {"fi": "Muistiinpanot", "en": "Notes"},
    "session.actions": {"fi": "Sovitut toimenpiteet", "en": "Agreed actions"},
    "session.actions_help": {"fi": "Yksi toimenpide riville.", "en": "One action per line."},
    "session.actions_col": {"fi": "Toimenpiteet", "en": "Actions"},
    "session.next": {"fi": "Seuraava tapaaminen", "en": "Next session"},
    "session.save": {"fi": "Tallenna tapaaminen", "en": "Save session"},
    "session.saved": {"fi": "Tapaaminen tallennettu.", "en": "Session saved."},
    "session.need_dates": {
        "fi": "Valitse jaksoille sekä alku- että loppupäivä.",
        "en": "Pick both a start and an end date for each period.",
    },
    "session.history": {"fi": "Sparraushistoria", "en": "Session history"},
    "session.none": {"fi": "Ei vielä kirjattuja tapaamisia.", "en": "No sessions recorded yet."},
    "session.last_actions": {"fi": "Viime kerralla ({date}) sovittiin", "en": "Agreed last time ({date})"},
    "session.no_actions": {"fi": "Ei kirjattuja toimenpiteitä.", "en": "No actions recorded."},
    "session.next_on": {"fi": "Seuraava tapaaminen: {date}", "en": "Next session: {date}"},
    "session.held_on": {"fi": "Pidetty", "en": "Held on"},
    "session.consultant": {"fi": "Konsultti", "en": "Consultant"},
    "error.generic": {"fi": "Tallennus ei onnistunut: {detail}", "en": "Could not save: {detail}"},
    "report.title": {"fi": "Raportti", "en": "Report"},
    "report.session": {"fi": "Raporttiin mukaan tapaaminen", "en": "Include the session"},
    "report.no_session": {"fi": "Ei tapaamista", "en": "No session"},
    "report.html": {"fi": "Lataa HTML", "en": "Download HTML"},
    "report.pdf": {"fi": "Lataa PDF", "en": "Download PDF"},
    "report.csv": {"fi": "Lataa CSV", "en": "Download CSV"},
    # e-mail notifications (dashboard/notify_box.py)
    "notify.box": {"fi": "Omat ilmoitukset", "en": "My notifications"},
    "notify.no_email": {"fi": "Tililläsi ei ole sähköpostiosoitetta, joten viestejä ei lähetetä.",
                        "en": "Your account has no e-mail address, so no messages are sent."},
    "notify.to": {"fi": "Viestit osoitteeseen {email}", "en": "Messages go to {email}"},
    "notify.digest": {"fi": "Viikkokatsaus", "en": "Weekly digest"},
    "notify.weekday": {"fi": "Katsauspäivä", "en": "Digest day"},
    "notify.alerts": {"fi": "Hälytys, kun joku odottaa vastausta", "en": "Alert when someone waits for an answer"},
    "notify.threshold": {"fi": "Hälytä, kun odotettu (tuntia)", "en": "Alert after waiting (hours)"},
    "notify.lang": {"fi": "Viestien kieli", "en": "Language of messages"},
    "notify.save": {"fi": "Tallenna", "en": "Save"},
    "notify.saved": {"fi": "Tallennettu.", "en": "Saved."},
    "notify.last": {"fi": "Viimeksi lähetetty: {when}", "en": "Last sent: {when}"},
    "notify.failing": {"fi": "Lähetys epäonnistui: {error}. Yritetään uudelleen.",
                       "en": "Sending failed: {error}. It will be retried."},
    "notify.health": {"fi": "Sähköposti-ilmoitukset", "en": "E-mail notifications"},
    "notify.health_none": {"fi": "Ei lähetettyjä katsauksia tai hälytyksiä vielä.", "en": "No digests or alerts sent yet."},
    "notify.health_failed": {"fi": "{n} käyttäjän viestien lähetys epäonnistuu.", "en": "Messages to {n} user(s) are failing."},
    "notify.col.user": {"fi": "Käyttäjä", "en": "User"},
    "notify.col.kind": {"fi": "Laji", "en": "Kind"},
    "notify.col.sent": {"fi": "Lähetetty", "en": "Sent"},
    "notify.col.pending": {"fi": "Jonossa", "en": "Queued"},
    "notify.col.failed": {"fi": "Epäonnistui", "en": "Failed"},
    "notify.col.last_sent": {"fi": "Viimeksi lähetetty", "en": "Last sent"},
    "notify.col.last_error": {"fi": "Viimeisin virhe", "en": "Last error"},
    "notify.col.next": {"fi": "Seuraava yritys", "en": "Next try"},
    "notify.col.email": {"fi": "Sähköposti", "en": "E-mail"},
}


# names the core owns (composites, goal statuses): one place each, shown capitalised here
STRINGS.update(core_names("goal.status.", capitalise=True))


def t(key: str, lang: str) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]


def fmt_date(value: date | datetime | None, lang: str, length: str = "short") -> str:
    if value is None or value != value:  # None or NaT
        return "–"
    return _format_date(value, format=length, locale=LOCALES[lang])


#: Date-time patterns (Babel/CLDR) for tables and texts: "28.11.2026 klo 20.25" / "28 Nov 2026, 20:25".
DATETIME_PATTERNS = {"fi": "d.M.yyyy 'klo' H.mm", "en": "d MMM yyyy, HH:mm"}
#: The same for Streamlit's date columns (moment.js syntax), so a sortable column reads the same way.
DATETIME_COLUMN = {"fi": "D.M.YYYY [klo] H.mm", "en": "D MMM YYYY, HH:mm"}
DATE_COLUMN = {"fi": "D.M.YYYY", "en": "D MMM YYYY"}
DEFAULT_ZONE = "Europe/Helsinki"


def display_zone() -> str:
    """The programme's time zone for showing times (Europe/Helsinki unless a setting says otherwise)."""
    try:
        from lasna import settings

        return settings.get("programme_timezone") or DEFAULT_ZONE
    except Exception:  # noqa: BLE001 - no such setting (yet): the default
        return DEFAULT_ZONE


def _missing(value) -> bool:
    return value is None or value != value  # None, NaN, NaT


def fmt_datetime(value, lang: str) -> str:
    """A moment as people in the programme read it, in the programme's time zone; "–" when missing."""
    if _missing(value):
        return "–"
    import pandas as pd

    ts = pd.Timestamp(value)
    ts = (ts.tz_localize("UTC") if ts.tzinfo is None else ts).tz_convert(display_zone())
    return _format_datetime(ts.to_pydatetime(), DATETIME_PATTERNS[lang], locale=LOCALES[lang])


def local_times(frame, *columns: str):
    """``frame`` with the datetime ``columns`` shown in the programme's time zone (for date columns)."""
    import pandas as pd

    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = pd.to_datetime(out[col], utc=True).dt.tz_convert(display_zone())
    return out


def fmt_number(value: float | None, lang: str) -> str:
    if _missing(value):
        return "–"
    return _format_decimal(value, locale=LOCALES[lang])


def fmt_percent(value: float | None, lang: str) -> str:
    """A share as a whole percentage: "4 %" in Finnish, "4%" in English; "–" when missing."""
    if _missing(value):
        return "–"
    return _format_percent(value, format="#,##0\u00a0%" if lang == "fi" else "#,##0%", locale=LOCALES[lang])


def fmt_signed(diff: float | None, lang: str, *, digits: int = 0) -> str:
    """A change: "+3", "−3" and a neutral "±0"; "–" when unknown."""
    if _missing(diff):
        return "–"
    r = round(float(diff), digits)
    if r == 0:
        return "±0"
    shown = _format_decimal(abs(r), locale=LOCALES[lang])
    return f"+{shown}" if r > 0 else f"−{shown}"


def fmt_points(diff: float | None, lang: str) -> str:
    """A change of a share in percentage points: "+8 %-yks." / "+8 pp" (never "+8 %")."""
    if _missing(diff):
        return "–"
    return f"{fmt_signed(diff * 100, lang)} {'%-yks.' if lang == 'fi' else 'pp'}"


def metric_delta(diff: float | None, lang: str, *, percent: bool = False) -> tuple[str | None, str]:
    """``(delta text, delta_color)`` for ``st.metric``: grey for a neutral zero (no green "↑ +0")."""
    if _missing(diff):
        return None, "off"
    text = fmt_points(diff, lang) if percent else fmt_signed(diff, lang)
    # st.metric reads the sign from the text: a true minus sign would not show as "down"
    return text.replace("−", "-"), ("off" if text.startswith("±") else "normal")


_ERROR_PATTERNS: tuple[tuple[str, dict[str, str]], ...] = (
    (r"^a leader needs a name", {"fi": "Anna johtajan nimi."}),
    (r"^a leader's name may be at most", {"fi": "Nimi saa olla enintään 200 merkkiä."}),
    (r"^a leader named (?P<x>.+) already exists", {"fi": "Johtaja {x} on jo olemassa; valitse toinen nimi."}),
    (r"^malformed Bluesky DID (?P<x>.+)", {"fi": "Virheellinen Bluesky-DID {x}: muoto on did:plc:<24 merkkiä>."}),
    (r"^not a Bluesky profile URL: (?P<x>.+)", {"fi": "{x} ei ole Bluesky-profiilin osoite (https://bsky.app/profile/<tunnus>)."}),
    (r"^malformed Bluesky handle (?P<x>.+?) \(did you forget `\.bsky\.social` \((?P<y>.+)\)\?\)",
     {"fi": "Virheellinen Bluesky-tunnus {x}: tarkoititko {y}?"}),
    (r"^malformed Bluesky handle (?P<x>.+?)( \(|$)", {"fi": "Virheellinen Bluesky-tunnus {x}: muoto on nimi.bsky.social."}),
    (r"^not a Mastodon profile URL: (?P<x>.+)", {"fi": "{x} ei ole Mastodon-profiilin osoite (https://palvelin/@nimi)."}),
    (r"^malformed Mastodon address (?P<x>.+?)( \(|$)", {"fi": "Virheellinen Mastodon-osoite {x}: muoto on @nimi@palvelin.fi."}),
    (r"^feed URL must start with http:// or https://: (?P<x>.+)", {"fi": "Syötteen osoitteen pitää alkaa http:// tai https:// ({x})."}),
    (r"^feed URL has no host: (?P<x>.+)", {"fi": "Syötteen osoitteesta puuttuu palvelin ({x})."}),
    (r"^feed URL (?P<x>.+) points to a local or private address",
     {"fi": "Syötteen osoite {x} on paikallinen tai yksityinen; se sallitaan vain asetuksella allow_private_urls."}),
    (r"^unsupported language (?P<x>.+?)( \(|$)", {"fi": "Kieltä {x} ei tueta: valitse suomi tai englanti."}),
)


def error_text(exc: Exception, lang: str) -> str:
    """An error for the UI in its language: known input errors are translated; anything else is
    shown as it is (markdown-escaped by the caller)."""
    text = str(exc)
    if lang != "en":
        for pattern, entry in _ERROR_PATTERNS:
            match = re.match(pattern, text)
            if match and lang in entry:
                return entry[lang].format(**match.groupdict())
        return t("error.generic", lang).format(detail=text)
    return text


def fmt_age(value, lang: str) -> str:
    """A duration as words ("3 days", "3 päivää")."""
    if value is None or value != value:
        return "–"
    return _format_timedelta(value, locale=LOCALES[lang], threshold=1.1)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def md_escape(text: object) -> str:
    """Text that Streamlit's markdown shows literally: every markdown, HTML and link
    character is backslash-escaped, so nothing in it becomes a link, tag or format."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
