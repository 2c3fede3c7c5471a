"""What every command module shares: the store opener and the consoles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from lasna.store import Store

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    database_url: str | None = None


state = CliState()


def open_store() -> Store:
    """Open (and migrate if needed) the configured store."""
    from lasna.store import Store

    return Store.open(state.database_url)
