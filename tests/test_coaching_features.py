import pytest

import coaching.features as F
from coaching_fixtures import at, frames, post
from hypothesis import given, settings
from hypothesis import strategies as st


def feats(texts, **kw):
    rows = [post(f"p{i}", at(i), t, **kw) for i, t in enumerate(texts)]
    P, _, _ = frames(rows, [])
    return F.post_features(P)


@pytest.fixture
def no_voikko(monkeypatch):
    F._fi_token_flags.cache_clear()
    F._fi_colloquial_q.cache_clear()
    monkeypatch.setattr(F, "_voikko", lambda: None)
    yield
    F._fi_token_flags.cache_clear()
    F._fi_colloquial_q.cache_clear()


def test_clean_text_strips_urls_handles_mastodon_handles_and_emoji_but_keeps_hashtag_words():
    s = F.clean_text("Kiitos @maija.bsky.social ja @pekka@mastodon.social 🎉 https://x.fi/a #kuntavaalit")
    assert s == "Kiitos ja kuntavaalit"


def test_language_is_detected_among_fi_en_sv():
    f = feats(["Kiitos kaikille hyvästä keskustelusta tänään illalla",
               "Thanks everyone for a great discussion tonight",
               "Tack alla för en bra diskussion i kväll"])
    assert f["lang_detected"].tolist() == ["fi", "en", "sv"]


def test_short_post_takes_the_account_majority_language():
    f = feats(["Kiitos kaikille hyvästä keskustelusta tänään", "Hyvä kokous oli tänään kaupungintalolla", "OK 👍"])
    assert f["lang_detected"].iloc[2] == "fi"


def test_declared_language_is_only_a_prior():
    rows = [post("a", at(0), "This is clearly an English sentence about the budget", lang="fi")]
    P, _, _ = frames(rows, [])
    assert F.post_features(P)["lang_detected"].iloc[0] == "en"


@pytest.mark.parametrize("text", ["Tapasin tänään tiimini Oulussa.", "Olen ylpeä tästä porukasta.",
                                  "Mä oon tosi ylpeä tästä", "Mielestäni tämä on tärkeää.",
                                  "I met the team today.", "My notes from the meeting."])
def test_first_person_singular_is_found_in_finnish_and_english(text):
    assert feats([text])["first_person_singular"].iloc[0]


@pytest.mark.parametrize("text", ["Kaupunki tiedottaa: valtuusto kokoontuu maanantaina.",
                                  "The council meets on Monday at five.", "Helsingin kaupungin tiedote julkaistiin."])
def test_impersonal_posts_have_no_first_person_singular(text):
    assert not feats([text])["first_person_singular"].iloc[0]


@pytest.mark.parametrize("text", ["Teemme töitä kaupunkimme eteen.", "We are proud of our team."])
def test_first_person_plural_is_a_separate_signal(text):
    f = feats([text])
    assert f["first_person_plural"].iloc[0] and not f["first_person_singular"].iloc[0]


@pytest.mark.parametrize("text", ["Mitä mieltä olette uudesta kirjastosta", "Onko teillä kokemuksia etätyöstä",
                                  "What do you think we should prioritise", "Do you use the new app",
                                  "Toimiiko uusi palvelu?"])
def test_audience_questions_are_found_without_relying_only_on_question_marks(text):
    assert feats([text])["question"].iloc[0]


def test_statement_is_not_a_question():
    assert not feats(["Budjetti hyväksyttiin tänään valtuustossa."])["question"].iloc[0]


def test_crediting_follows_the_codebook_with_or_without_a_handle():
    rows = [post("a", at(0), "Kiitos @maija hienoa työtä!", mentions=["did:maija"]),
            post("b", at(1), "Kiitos kaikille osallistujille."),  # thanks to people for taking part
            post("c", at(2), "Great work @ops_team on the migration", mentions=["did:ops"]),
            post("d", at(3), "Met @ops_team today about the plan", mentions=["did:ops"]),
            post("e", at(4), "Huge thanks to the night shift on ward 7"),
            post("f", at(5), "Good point, Sam. We will change the form."),
            post("g", at(6), "Onnittelut Annalle uudesta tehtävästä!"),
            post("h", at(7), "Thanks for reading, see you next week."),  # sign-off to one's own audience
            post("i", at(8), "Kiitos kun luit. Seuraava katsaus ilmestyy huhtikuussa."),
            post("j", at(9), "Vesikatko Rantakadulla torstaina. Kiitos!"),
            post("k", at(10), "Thanks in advance for your patience while the system is upgraded")]
    P, _, _ = frames(rows, [])
    assert F.post_features(P)["crediting"].tolist() == [True, True, True, False, True, True, True,
                                                        False, False, False, False]


@pytest.mark.parametrize("text,q", [
    ("I wonder if a four-day week would work here", True), ("Curious whether you'd come on a weekday", True),
    ("Is the timeline realistic in your view", True), ("Let me know what you would cut first", True),
    ("Mietin, että pitäisikö kokoukset siirtää iltaan", True), ("Kertokaa kommenteissa, mikä toimii", True),
    ("Tuletko huomenna paikalle", True), ("Why does this matter? Because people rely on it.", False),
    ("Miksi tämä on tärkeää? Koska asukkaat luottavat siihen.", False),
    ("Taulukko ja liitteet ovat verkossa", False), ("The timeline is realistic and agreed", False),
])
def test_audience_questions_without_a_question_mark_and_no_rhetorical_ones(text, q):
    assert bool(feats([text])["question"].iloc[0]) is q


def test_features_version_is_a_string_constant():
    assert isinstance(F.FEATURES_VERSION, str) and F.FEATURES_VERSION


def test_reply_counts_as_dialogue_only_when_parent_author_is_someone_else():
    rows = [post("a", at(0), "Hyvä pointti, selvitän asian huomenna.", parent="x", parent_author="U1"),
            post("b", at(1), "Jatkan vielä ketjua tästä aiheesta.", parent="a", parent_author="L1"),
            post("c", at(2), "Kaupunki tiedottaa uudesta palvelusta.")]
    P, _, _ = frames(rows, [])
    f = F.post_features(P)
    assert f["reply_to_other"].tolist() == [True, False, False]
    assert f["self_thread"].tolist() == [False, True, False]
    assert f["is_root"].tolist() == [False, False, True]


def test_emoji_only_and_very_short_replies_are_flagged_as_low_substance():
    f = feats(["🙏👍", "Kiitos!", "Kiitos tästä, luen raportin huolella."])
    assert f["emoji_only"].tolist() == [True, False, False]
    assert f["low_substance"].tolist() == [True, True, False]


def test_links_come_from_the_links_column_or_text():
    rows = [post("a", at(0), "Raportti täällä", links=["https://x.fi/r.pdf"]), post("b", at(1), "Katso https://x.fi"),
            post("c", at(2), "Ei linkkiä tässä")]
    P, _, _ = frames(rows, [])
    assert F.post_features(P)["has_link"].tolist() == [True, True, False]


PARALLEL = [
    ("Tapasin tänään tiimini ja opin paljon.", "I met my team today and learned a lot."),
    ("Mitä mieltä olette uudesta kirjastosta?", "What do you think of the new library?"),
    ("Teemme kaupunkimme eteen töitä.", "We work for our city."),
    ("Kaupunki tiedottaa: katutyöt alkavat maanantaina.", "City notice: roadworks start on Monday."),
]
FLAGS = ["first_person_singular", "first_person_plural", "question", "emoji_only", "low_substance"]


@pytest.mark.parametrize("fi,en", PARALLEL)
def test_parallel_finnish_and_english_posts_give_equal_features(fi, en):
    f = feats([fi, en])
    assert f.loc[0, FLAGS].tolist() == f.loc[1, FLAGS].tolist()


@pytest.mark.parametrize("text", [t for pair in PARALLEL for t in pair])
def test_adding_urls_handles_and_emoji_leaves_pronoun_flags_alone(text):
    noisy = f"{text} 🎉🙌 https://example.org/a?b=c @someone.bsky.social"
    f = feats([text, noisy])
    assert f.loc[0, FLAGS[:3]].tolist() == f.loc[1, FLAGS[:3]].tolist()


def test_finnish_fallback_without_voikko_still_finds_person_and_clitic(no_voikko):
    assert "first_person_singular_fi" in F.degraded_features()
    f = feats(["Tapasin tänään tiimini Oulussa.", "Onko teillä kokemuksia tästä", "Teemme töitä yhdessä kovasti.",
               "Kaupunki tiedottaa uudesta palvelusta."])
    assert f["first_person_singular"].tolist() == [True, False, False, False]
    assert f["question"].tolist() == [False, True, False, False]
    assert f["first_person_plural"].tolist() == [False, False, True, False]


def test_voikko_reports_no_degraded_features_when_installed():
    if not F.has_voikko():
        pytest.skip("libvoikko not installed here")
    assert F.degraded_features() == {}


# --- Finnish morphology from PyPI (issue #14) ---------------------------------------------------------------
@pytest.fixture
def backend(monkeypatch):
    def use(name):
        monkeypatch.setenv(F.MORPHOLOGY_ENV, name)
        F._voikko.cache_clear()
        F._fi_token_flags.cache_clear()
        F._fi_colloquial_q.cache_clear()
        return F.morphology_backend()
    yield use
    F._voikko.cache_clear()
    F._fi_token_flags.cache_clear()
    F._fi_colloquial_q.cache_clear()


def test_pip_only_morphology_pyvoikko_reports_no_degraded_features(backend):
    assert backend("pyvoikko") == "pyvoikko"
    assert F.degraded_features() == {}
    f = feats(["Tapasin tänään tiimini Oulussa.", "Onko teillä kokemuksia tästä", "Teemme töitä yhdessä kovasti."])
    assert f["first_person_singular"].tolist() == [True, False, False]
    assert f["question"].tolist() == [False, True, False]


def test_heuristics_only_is_reported_as_degraded(backend):
    assert backend("none") is None
    assert "question_fi" in F.degraded_features()


def _fi_vocabulary():
    import csv
    from pathlib import Path

    words = set()
    for name in ("posts.csv", "replies.csv"):
        with open(Path(__file__).parents[1] / "data" / "labels" / name, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["lang"] == "fi":
                    words.update(F.WORD_RE.findall(row["text"]))
    return sorted(words)


def test_pyvoikko_and_libvoikko_give_the_same_flags_on_the_labelled_finnish_vocabulary(backend):
    if backend("libvoikko") != "libvoikko":
        pytest.skip("Debian libvoikko1 + voikko-fi not installed here")
    words = _fi_vocabulary()
    assert len(words) > 2000
    native = [F._fi_token_flags(w, i) for w in words for i in (True, False)]
    native_ks = [F._fi_colloquial_q(w.lower() + "ks") for w in words]
    assert backend("pyvoikko") == "pyvoikko"
    assert [F._fi_token_flags(w, i) for w in words for i in (True, False)] == native
    assert [F._fi_colloquial_q(w.lower() + "ks") for w in words] == native_ks
    assert sum(any(x) for x in native) > 200  # the comparison is not vacuous


@pytest.mark.parametrize("mode", ["pyvoikko", "none"])
@pytest.mark.parametrize("text,q", [("Taulukko on liitteenä.", False), ("Taulukko liitteenä", False),
                                    ("Pankko on kiinni.", False), ("Tuletko huomenna paikalle", True),
                                    ("Mitä mieltä olette, onko tämä oikea suunta", True)])
def test_a_noun_ending_in_ko_is_not_the_question_clitic(backend, mode, text, q):
    backend(mode)
    assert bool(feats([text])["question"].iloc[0]) is q


def test_a_missing_libvoikko_never_prints_a_traceback_at_exit(tmp_path):
    import subprocess
    import sys

    code = ("import ctypes\n"
            "real = ctypes.CDLL\n"
            "def fake(name, *a, **k):\n"
            "    if 'voikko' in str(name): raise OSError('no libvoikko here')\n"
            "    return real(name, *a, **k)\n"
            "ctypes.CDLL = fake\n"
            "import coaching.features as F\n"
            "print(F.morphology_backend(), sorted(F.degraded_features()))\n")
    env = {**__import__("os").environ, F.MORPHOLOGY_ENV: "auto"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pyvoikko []"
    assert "Exception ignored" not in r.stderr and "Traceback" not in r.stderr


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abXYZäöÅÄïéßΩ東-'’_1 .\n")), max_size=24))
def test_fast_word_pattern_gives_exactly_the_reference_tokens(text):
    assert F.WORD_RE.findall(text) == F.WORD_RE_REFERENCE.findall(text)


def test_emoji_are_removed_only_from_texts_that_have_them():
    assert F.clean_text("Kiitos 🎉 tiimille ☕") == "Kiitos tiimille"
    assert F.clean_text("Naïve café – 5 € → ok") == "Naïve café – 5 € → ok"  # below U+2600: kept
