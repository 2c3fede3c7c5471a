"""Golden files for the Mastodon normalisers (API-documentation-shaped Status/Context entities)."""

from __future__ import annotations

import copy
import json

import pytest

from collectors.mastodon.normalize import IdMap, normalize_context, normalize_status
from lasna.errors import MalformedPayload
from tests.sources_helpers import FIXTURES, check_golden

D = FIXTURES / "mastodon"
LEADER_ID = "109302436954721982"


def _load(name):
    return json.loads((D / name).read_text(encoding="utf-8"))


def _ids(statuses):
    ids = IdMap(host="mastodon.example")
    for s in statuses:
        ids.learn(s)
    return ids


def test_statuses_golden():
    raw = _load("statuses.json")
    before = copy.deepcopy(raw)
    ids = _ids(raw)
    ids.learn(_load("context_root.json")["descendants"][0])  # bob's question, as the collector looks it up
    posts = [normalize_status(s, ids=ids) for s in raw]
    assert raw == before, "normalisers must not mutate their input"
    check_golden(D / "statuses.expected.json", posts)


def test_statuses_reply_relations():
    raw = _load("statuses.json")
    ids = _ids(raw)
    ids.learn(_load("context_root.json")["descendants"][0])
    boost, self_reply, answer, root = (normalize_status(s, ids=ids) for s in raw)
    assert boost.is_repost and boost.repost_of_id.endswith("/statuses/113400000000000077") and boost.text == ""
    assert self_reply.reply_parent_id == root.id and self_reply.reply_parent_author_id == root.author_id
    assert answer.reply_parent_id == "https://social.example/users/bob/statuses/113412399999000001"
    assert answer.reply_parent_author_id == "acct:bob@social.example"
    assert root.reply_parent_id is None and root.links == ("https://blog.example.fi/muutokset",)
    assert "https://blog.example.fi/muutokset" in root.text  # invisible spans keep the full URL


def test_unresolved_parent_becomes_marker_not_wrong_id():
    raw = _load("statuses.json")
    answer = normalize_status(raw[2], ids=IdMap(host="mastodon.example"))
    assert answer.reply_parent_id == "mastodon:mastodon.example:status:113412399999000001"
    assert answer.reply_parent_author_id == "mastodon:mastodon.example:account:109312345678000001"


def test_context_golden():
    context = _load("context_root.json")
    root_uri = "https://mastodon.example/users/liisa/statuses/113412345678901234"
    ids = _ids(_load("statuses.json"))
    result = normalize_context(context, focal_uri=root_uri, self_local_id=LEADER_ID, ids=ids)
    assert [i.author_handle for i in result.interactions] == ["bob@social.example", "carol@toot.example"]
    assert all(i.root_id == root_uri for i in result.interactions)
    assert len(result.own_posts) == 2 and result.skipped == 0
    check_golden(D / "context_root.expected.json", {"interactions": result.interactions, "own_posts": result.own_posts})


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s.pop("uri"),
        lambda s: s.update(created_at="yesterday"),
        lambda s: s.update(account="nobody"),
        lambda s: s["account"].pop("url") and s["account"].pop("uri") and s["account"].pop("acct"),
        lambda s: s.update(uri=""),
    ],
)
def test_malformed_status_raises_clear_error(mutate):
    status = copy.deepcopy(_load("statuses.json")[3])
    mutate(status)
    with pytest.raises(MalformedPayload):
        normalize_status(status, ids=IdMap(host="mastodon.example"))


def test_hostile_field_types_do_not_crash():
    status = copy.deepcopy(_load("statuses.json")[3])
    status.update(content=12, spoiler_text=None, tags="x", mentions=[None, 3], replies_count="many", language=7)
    post = normalize_status(status, ids=IdMap(host="mastodon.example"))
    assert post.text == "" and post.reply_count == 0 and post.tags == () and post.mentions == ()


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
_KEYS = ["id", "uri", "created_at", "account", "content", "reblog", "in_reply_to_id", "in_reply_to_account_id",
         "mentions", "tags", "language", "replies_count", "spoiler_text", "quote", "url"]


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _json, max_size=12), st.booleans())
def test_normalisers_on_arbitrary_json_raise_only_malformed_payload(overrides, as_reply):
    status = copy.deepcopy(_load("statuses.json")[2])
    status.update(overrides)
    ids = IdMap(host="mastodon.example")
    try:
        ids.learn(status)
        if as_reply:
            normalize_context({"ancestors": [status], "descendants": [status, status]}, focal_uri="x", self_local_id=LEADER_ID, ids=ids)
        else:
            normalize_status(status, ids=ids)
    except MalformedPayload:
        pass
