"""Item 8: a roster is validated whole, types included, then written in one transaction."""

from __future__ import annotations

import pytest

from lasna import registry
from lasna.errors import InputError
from lasna.store import Store
from lasna.types import Platform, Visibility

from .cli import lasna, one_line_error

GOOD = '''
[[cohort]]
name = "Ohjelma"
visibility = "all"

[[leader]]
name = "Liisa Virtanen"
cohorts = ["Ohjelma"]
bluesky = "liisa.example.fi"
'''


def _state(store: Store):
    return (
        [(x.name, x.cohorts) for x in store.leaders(include_inactive=True)],
        [(c.name, c.visibility) for c in store.cohorts()],
        [(a.platform, a.handle) for a in store.accounts()],
    )


@pytest.mark.parametrize(
    "body, message",
    [
        ('[[leader]]\nname = "A"\ncohorts = "Oma Ryhmä"\n', "cohorts must be a list of text"),
        ('[[leader]]\nname = 12\n', "name must be text"),
        ('[[leader]]\nname = "A"\nlanguage = 5\n', "language must be text"),
        ('[[leader]]\nname = "A"\nbluesky = 123\n', "bluesky must be text"),
        ('[[leader]]\nname = "A"\nmastodon = ["@a@b.fi"]\n', "mastodon must be text"),
        ('[[leader]]\nname = "A"\nfeeds = [1, 2]\n', "feeds\\[1\\] must be text"),
        ('[[leader]]\nname = "A"\ncohorts = [["x"]]\n', "cohorts\\[1\\] must be text"),
        ('[[cohort]]\nname = 3\n', "name must be text"),
        ('[[cohort]]\nname = "X"\nvisibility = true\n', "visibility must be text"),
        ('leader = "x"\n', "leader entries must be"),
        ('cohort = [1, 2]\n', "cohort entries must be"),
        ('[[leader]]\nname = "A\\u0000B"\n', "control characters"),
    ],
)
def test_wrong_types_are_refused_before_anything_is_written(tmp_path, store, body, message):
    path = tmp_path / "roster.toml"
    top_level = body.startswith(("leader =", "cohort ="))  # must come before any [[table]]
    path.write_text(body if top_level else GOOD + body, encoding="utf-8")
    before = _state(store)
    with pytest.raises(InputError, match=message):
        registry.import_roster(store, registry.read_roster(path))
    assert _state(store) == before


def test_a_failure_while_writing_entry_two_leaves_entry_one_and_the_cohorts_unwritten(tmp_path, store):
    markku = store.add_leader("Markku Nieminen", cohorts=["Ohjelma"])
    store.add_account(markku.id, Platform.BLUESKY, "markku.example.fi", stable_id="did:plc:" + "m" * 24)
    store.set_cohort("Ohjelma", Visibility.AGGREGATES)
    path = tmp_path / "roster.toml"
    path.write_text(GOOD + '[[leader]]\nname = "Kaappaaja"\nbluesky = "did:plc:' + "m" * 24 + '"\n', encoding="utf-8")
    before = _state(store)
    roster = registry.read_roster(path)  # valid on its own; the DID clashes only against the store
    with pytest.raises(InputError, match="nothing was imported"):
        registry.import_roster(store, roster)
    assert _state(store) == before
    assert store.cohorts()[0].visibility == Visibility.AGGREGATES


def test_cli_roster_errors_are_one_line_exit_2_and_write_nothing(tmp_path, capsys):
    from lasna.cli import main

    db = f"sqlite:///{tmp_path / 'r.db'}"
    for body in ('[[leader]]\nname = "A"\ncohorts = "Oma Ryhmä"\n', '[[leader]]\nname = 1\nlanguage = 2\n',
                 '[[leader]]\nname = "A"\nbluesky = 5\nmastodon = 6\nfeeds = 7\n'):
        path = tmp_path / "roster.toml"
        path.write_text(GOOD + body, encoding="utf-8")
        capsys.readouterr()
        assert main(["--database", db, "leaders", "import", str(path)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and len([x for x in err.splitlines() if x.strip()]) == 1, err
    path.write_text(GOOD + '[[leader]]\nname = "A"\ncohorts = "Oma Ryhmä"\n', encoding="utf-8")
    proc = lasna("leaders", "import", str(path), db=db)  # the real exit code of the real program
    assert proc.returncode == 2, proc.stderr
    one_line_error(proc)
    store = Store.open(db)
    assert store.leaders(include_inactive=True) == [] and store.cohorts() == []
    store.close()


def test_a_good_roster_still_imports_and_is_audited(tmp_path, store):
    path = tmp_path / "roster.toml"
    path.write_text(GOOD, encoding="utf-8")
    leaders = registry.import_roster(store, registry.read_roster(path), actor="konsultti")
    assert [x.name for x in leaders] == ["Liisa Virtanen"]
    assert store.cohorts()[0].visibility == Visibility.ALL
    actions = sorted(e.action for e in store.audit_events(actor="konsultti"))
    assert actions == ["cohort.set", "leader.add", "roster.import"]
