"""Mastodon shapes the API documentation glosses over: context without the focal status, one key per
account, 4.4 quote posts, GoToSocial/Pleroma entities, non-http URLs (fixtures in tests/fixtures/mastodon/)."""

from __future__ import annotations

import copy
import json

from collectors.mastodon.normalize import IdMap, normalize_context, normalize_status
from tests.sources_helpers import FIXTURES, check_golden
from tests.test_mastodon_collector import NOW, ROOT_ID, _filler, fake, setup  # noqa: F401
from tests.sources_helpers import allow_private, store  # noqa: F401

D = FIXTURES / "mastodon"
LEADER_ID = "109302436954721982"
ROOT_URI = "https://mastodon.example/users/liisa/statuses/113412345678901234"


def _load(name):
    return json.loads((D / name).read_text(encoding="utf-8"))


def test_context_replies_attach_to_the_asked_status_even_when_it_was_not_fetched():
    ids = IdMap(host="mastodon.example")  # the leader's post is not among this run's statuses
    result = normalize_context(_load("context_root.json"), focal_uri=ROOT_URI, self_local_id=LEADER_ID, ids=ids,
                               focal_local_id=ROOT_ID)
    by_author = {i.author_handle: i for i in result.interactions}
    assert by_author["bob@social.example"].parent_id == ROOT_URI
    assert by_author["carol@toot.example"].parent_id == ROOT_URI
    assert not any(i.parent_id.startswith("mastodon:") for i in result.interactions)


def test_collector_attaches_replies_to_a_post_no_longer_on_the_newest_page(setup, store, fake):  # noqa: F811
    from collectors.base import CollectContext
    from collectors.mastodon import MastodonCollector

    run, _ = setup
    run()
    fake.by_id[ROOT_ID]["replies_count"] = 3
    late = copy.deepcopy(fake.contexts[ROOT_ID]["descendants"][2])
    late.update(id="113412999999000009", uri="https://toot.example/users/carol/statuses/113412999999000009",
                created_at="2025-11-04T09:00:00.000Z", content="<p>Vielä yksi kysymys?</p>")
    fake.contexts[ROOT_ID]["descendants"].append(late)
    # a run that sees the new count but reads no thread (thread budget spent, or the context request failed) ...
    account = store.accounts()[0]
    leader = store.leader("Liisa")
    MastodonCollector(sleep=lambda s: None, max_threads=0).collect(
        account, leader, CollectContext(store=store, transport=fake.transport(), now=NOW))
    _filler(fake, 45)  # ... then the root drops off the newest page of 40 before its thread is read
    outcome = run()
    assert outcome.ok and outcome.new_interactions == 1
    inter = store.interactions_frame().set_index("interaction_id")
    assert inter.loc["https://toot.example/users/carol/statuses/113412999999000009"].parent_id == ROOT_URI
    assert (inter.parent_id == ROOT_URI).sum() == 3 and not inter.parent_id.str.startswith("mastodon:").any()


def test_one_key_per_account_for_authors_parent_authors_and_mentions():
    statuses = _load("statuses.json")
    context = _load("context_root.json")
    ids = IdMap(host="mastodon.example")
    for s in statuses + context["descendants"]:
        ids.learn(s)
    answer = normalize_status(statuses[2], ids=ids)
    thread = normalize_context(context, focal_uri=ROOT_URI, self_local_id=LEADER_ID, ids=ids, focal_local_id=ROOT_ID)
    bob = next(i for i in thread.interactions if i.author_handle == "bob@social.example")
    assert bob.author_id == answer.reply_parent_author_id == answer.mentions[0] == "acct:bob@social.example"
    mention = normalize_status(_load("quotes_mentions.json")[3], ids=ids)
    # profile URL (Mastodon, GoToSocial) and AP-id URL (Pleroma) forms give the same kind of key; ftp:// is dropped
    assert mention.mentions == ("acct:bob@social.example", "acct:anna@gts.example", "acct:olli@pleroma.example")
    assert mention.url is None  # javascript: URL dropped


def test_quote_posts_are_quotes_without_the_fallback_paragraph():
    raw = _load("quotes_mentions.json")
    ids = IdMap(host="mastodon.example")
    for s in raw:
        ids.learn(s)
    quote, shallow, bridged, mention, quoted = (normalize_status(s, ids=ids) for s in raw)
    quoted_uri = "https://social.example/users/bob/statuses/113420000000000077"
    assert quote.quote_of_id == quoted_uri and shallow.quote_of_id == quoted_uri
    assert "RE:" not in quote.text and quote.text.startswith("Juuri näin.")
    assert quote.links == ("https://blog.example.fi/avoin-data",)  # the quoted post is not a shared link
    assert shallow.text == "Katso tämä." and shallow.links == ()
    assert bridged.quote_of_id == "https://bsky.brid.gy/convert/ap/at://did:plc:abc/app.bsky.feed.post/3lxyz"
    assert bridged.text == "Hyvä pointti" and bridged.links == ()
    check_golden(D / "quotes_mentions.expected.json", [quote, shallow, bridged, mention])


def test_gotosocial_and_pleroma_entities():
    ids = IdMap(host="mastodon.example")
    result = normalize_context(_load("context_other_servers.json"), focal_uri=ROOT_URI, self_local_id=LEADER_ID,
                               ids=ids, focal_local_id=ROOT_ID)
    gts, pleroma = result.interactions
    assert gts.author_id == "acct:anna@gts.example" and gts.parent_id == ROOT_URI  # account without `uri`
    assert gts.id == "https://gts.example/users/anna/statuses/01JC8Z6F4ZQ7W5X1C9YJ6P3K2N"
    assert pleroma.author_id == "acct:olli@pleroma.example" and pleroma.parent_id == ROOT_URI
    assert pleroma.id.startswith("https://pleroma.example/objects/") and pleroma.text == "Samaa mieltä, @olli myös."
    check_golden(D / "context_other_servers.expected.json", result.interactions)


def test_pleroma_object_uri_thread_is_read_after_the_post_left_the_newest_page(setup, store, fake):  # noqa: F811
    """Pleroma/Akkoma status URIs (/objects/<uuid>) do not contain the local id the API needs."""
    from collectors.base import CollectContext
    from collectors.mastodon import MastodonCollector

    object_uri = "https://mastodon.example/objects/5b7e6a8c-1f2d-4c3b-9a0e-7d6c5b4a3f21"
    fake.by_id[ROOT_ID]["uri"] = object_uri
    run, _ = setup
    MastodonCollector(sleep=lambda s: None, max_threads=0).collect(
        store.accounts()[0], store.leader("Liisa"), CollectContext(store=store, transport=fake.transport(), now=NOW))
    _filler(fake, 45)  # the post leaves the newest page before its thread is read
    outcome = run()
    assert outcome.ok and outcome.new_interactions == 2
    inter = store.interactions_frame()
    assert set(inter.parent_id) == {object_uri}  # both direct replies attach to the post
