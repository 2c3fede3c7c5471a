"""What every command module shares: the store opener and the consoles."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from lasna.store import Store


@functools.cache
def console() -> Console:
    """The Rich console on stdout, made on first use (importing Rich is part of every command's start-up
    otherwise, also of `lasna version`)."""
    from rich.console import Console

    return Console()


@functools.cache
def err_console() -> Console:
    """The Rich console on stderr (errors, notes, progress bars), made on first use."""
    from rich.console import Console

    return Console(stderr=True)


@dataclass
class CliState:
    database_url: str | None = None


state = CliState()


def _no_progress(n: int = 1, description: str | None = None) -> None:
    """``advance`` when no bar is drawn."""


@contextmanager
def progress(description: str, total: int | None = None):
    """A Rich progress bar on stderr for work that can take more than a second; yields
    ``advance(n=1, description=None)``. Without a ``total`` the bar pulses until the block ends.
    Nothing is drawn when stderr is not a terminal (pipes and tests stay clean), and then Rich's progress
    module is not even imported (a script calling `lasna tips` does not pay for it)."""
    console = err_console()
    if not console.is_terminal:
        yield _no_progress
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn(), console=console, transient=True)
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=n, description=description)

        yield advance
        if total is None:
            bar.update(task, total=1, completed=1)


def open_store() -> Store:
    """Open (and migrate if needed) the configured store; its changes are audited as ``cli:<user>``."""
    from lasna.store import Store
    from lasna.store.audit import cli_actor

    store = Store.open(state.database_url)
    store.actor, store.via = cli_actor(), "cli"
    return store
