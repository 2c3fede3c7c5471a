"""Schema migrations with Alembic, run programmatically (no alembic.ini needed).

Opening a store checks whether its schema is at the head revision. That check (:func:`at_head`) reads
the revision ids from the migration files' text and the stamp from ``alembic_version`` with one query,
so a command reading a store that is up to date never imports Alembic (about a tenth of a second of
start-up); anything else (a new, old, branched or unknown stamp) takes Alembic's own path.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"""^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(?:['"]([^'"]+)['"]|None)\s*$""", re.M)


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


@functools.lru_cache(maxsize=1)
def script_head() -> str | None:
    """The head revision as the migration files declare it (``revision = "..."`` / ``down_revision =
    ...``), without importing Alembic; None unless the files form one chain with exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict((m.group(1), m.group(2)) for m in _REVISION.finditer(path.read_text(encoding="utf-8")))
        if "revision" not in found or found["revision"] is None or "down_revision" not in found:
            return None  # not a file this reader understands: let Alembic decide
        revisions.add(found["revision"])
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def at_head(engine: Engine) -> bool:
    """Whether the database is stamped with exactly the head revision (a cheap check; False when in
    doubt, e.g. no ``alembic_version`` table yet)."""
    head = script_head()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            stamps = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    except DBAPIError:
        return False
    return stamps == [head]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
