"""One specification per platform (lasna/sources.py): the runner, the registry, the roster, the CLI and
the dashboard form take their lists from it, and a new source is one package plus one specification."""

from __future__ import annotations

import dataclasses

import pytest

from collectors import base, runner
from lasna import registry, sources
from lasna.cli import main
from lasna.errors import InputError
from lasna.types import AccountOutcome, Platform
from tests.sources_helpers import store  # noqa: F401


def test_every_collected_source_has_its_collector_and_platform():
    for spec in sources.collected():
        cls = spec.factory()
        assert cls.platform == spec.platform and callable(getattr(cls, "collect", None))
    assert runner.collect_sources() == {"bluesky": (Platform.BLUESKY,), "mastodon": (Platform.MASTODON,),
                                        "feeds": (Platform.FEED,),
                                        "all": (Platform.BLUESKY, Platform.MASTODON, Platform.FEED)}
    assert {s.platform for s in sources.SOURCES} == set(Platform)


def test_cli_options_and_roster_keys_come_from_the_specifications(tmp_path, capsys):
    assert main(["leaders", "add", "--help"]) == 0
    out = capsys.readouterr().out
    for spec in sources.addable():
        assert spec.option in out
    roster = tmp_path / "r.toml"
    roster.write_text('[[leader]]\nname = "A"\nfeeds = "https://a.example/feed"\nmastodon = "@a@m.example"\n')
    [spec] = registry.read_roster(roster).leaders
    assert [(a.platform, a.handle) for a in spec.accounts] == [(Platform.MASTODON, "a@m.example"),
                                                               (Platform.FEED, "https://a.example/feed")]


@pytest.mark.parametrize("key,value,hint", [("bluesky", "liisa", ".bsky.social"), ("mastodon", "liisa", "@user@instance"),
                                            ("feeds", ["ftp://x"], "http")])
def test_validation_and_hints_per_source(key, value, hint):
    with pytest.raises(InputError) as err:
        registry.LeaderSpec.parse("A", **{key: value})
    assert hint in (err.value.hint or "") + str(err.value)


def test_a_new_source_is_one_package_plus_one_specification(store, monkeypatch):  # noqa: F811
    """A made-up 'intranet' source: a specification is all the registry, roster and runner need."""

    class IntranetCollector:
        platform = Platform.JSONL

        def collect(self, account, leader, ctx):
            return AccountOutcome(leader.name, Platform.JSONL, account.handle, new_posts=3, requests=1)

    monkeypatch.setitem(globals(), "IntranetCollector", IntranetCollector)
    intranet = dataclasses.replace(
        next(s for s in sources.SOURCES if s.platform == Platform.JSONL), source="intranet", key="intranet", option="--intranet", syntax="team-name",
        validate=lambda v: sources.AccountDraft(Platform.JSONL, v.strip()), collector=f"{__name__}:IntranetCollector",
    )
    monkeypatch.setattr(sources, "SOURCES", (*[s for s in sources.SOURCES if s.platform != Platform.JSONL], intranet))
    monkeypatch.delitem(base.COLLECTORS, Platform.JSONL, raising=False)
    spec = registry.LeaderSpec.parse("Intra", intranet="johtoryhma")
    registry.add_leader(store, spec)
    report = runner.run_collection(store, source="intranet", concurrency=1)
    assert [(o.platform, o.account, o.new_posts) for o in report.outcomes] == [(Platform.JSONL, "johtoryhma", 3)]
