"""`lasna users ...`: who may log in to the dashboard, and what they see."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from lasna.cli.common import console, open_store
from lasna.errors import InputError
from lasna.types import Role

app = typer.Typer(help="Add, list and remove dashboard users and set their passwords.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("no password on standard input")
        return password
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat password", hide_input=True)
    if first != second:
        raise InputError("the passwords differ")
    return first


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Login name."),
    role: Role = typer.Option(..., "--role", help="admin, consultant or executive."),
    leader: list[str] = typer.Option(
        None, "--leader", help="Executive: their own leader. Consultant: an assigned leader (repeatable)."
    ),
    cohort: list[str] = typer.Option(None, "--cohort", help="Consultant: an assigned cohort (repeatable)."),
    email: str = typer.Option(None, "--email", help="E-mail that single sign-on (OpenID Connect) reports for them."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    no_password: bool = typer.Option(False, "--no-password", help="Single sign-on only: no local password."),
) -> None:
    """Add a dashboard user (asks for the password unless --password-stdin or --no-password)."""
    from lasna import users

    if no_password and password_stdin:
        raise InputError("--no-password and --password-stdin exclude each other")
    if no_password and not email:
        raise InputError("a user without a password needs --email for single sign-on")
    store = open_store()
    password = None if no_password else _read_password(password_stdin)
    user = users.add_user(store, name, role, password=password, email=email, leaders=leader or [], cohorts=cohort or [])
    console().print(f"Added {user.role} {user.name}.")


@app.command("remove")
def remove(name: str = typer.Argument(..., help="Login name.")) -> None:
    """Remove a dashboard user (their open sessions end at their next click)."""
    from lasna import users

    users.remove_user(open_store(), name)
    console().print(f"Removed {name}.")


@app.command("passwd")
def passwd(
    name: str = typer.Argument(..., help="Login name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Set a user's password."""
    from lasna import users

    store = open_store()
    users.get_user(store, name)  # fail before asking
    users.set_password(store, name, _read_password(password_stdin))
    console().print(f"Password of {name} changed.")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List users, their roles and what they are assigned."""
    from lasna import users

    store = open_store()
    leaders = {l.id: l.name for l in store.leaders(include_inactive=True)}
    cohorts = {c.id: c.name for c in store.cohorts()}
    rows: list[dict[str, Any]] = [
        {
            "name": u.name,
            "role": str(u.role),
            "email": u.email,
            "leader": leaders.get(u.leader_id) if u.leader_id else None,
            "leaders": sorted(leaders.get(i, "?") for i in u.leader_ids),
            "cohorts": sorted(cohorts.get(i, "?") for i in u.cohort_ids),
            "password": u.has_password,
        }
        for u in users.list_users(store)
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    table = Table("User", "Role", "E-mail", "Sees", "Password")
    for r in rows:
        assigned = [str(name) for name in r["leaders"]] + [f"cohort {c}" for c in r["cohorts"]]
        sees = str(r["leader"] or ", ".join(assigned))
        table.add_row(str(r["name"]), str(r["role"]), str(r["email"] or ""),
                      sees or ("everything" if r["role"] == "admin" else ""), "yes" if r["password"] else "no")
    console().print(table)


@app.command("notify")
def notify(
    name: str = typer.Argument(..., help="Login name."),
    digest: str = typer.Option(None, "--digest", help="Weekly digest: on or off.", metavar="on|off"),
    weekday: str = typer.Option(None, "--weekday", help="Digest day: mon, tue, … sun.", metavar="DAY"),
    alerts: str = typer.Option(None, "--alerts", help="Alerts about people waiting: on or off.", metavar="on|off"),
    threshold: float = typer.Option(None, "--threshold", help="Alert after this many hours of waiting.",
                                    metavar="HOURS"),
    lang: str = typer.Option(None, "--lang", help="Language of the messages: fi or en.", metavar="fi|en"),
    quiet: str = typer.Option(None, "--quiet", help="No alerts in these hours, e.g. 12:00-13:00, or off.",
                              metavar="HH:MM-HH:MM"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show or change a user's e-mail digest and alert preferences."""
    from lasna import users
    from lasna.notify import set_preferences

    store = open_store()
    prefs = set_preferences(store, name, digest=digest, weekday=weekday, alerts=alerts, threshold=threshold,
                            lang=lang, quiet=quiet)
    user = users.get_user(store, name)
    out = {"user": user.name, "email": user.email, **prefs.to_dict()}
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    quiet_text = f"{prefs.quiet_start}-{prefs.quiet_end}" if prefs.quiet_start else "none"
    console().print(
        f"{user.name} <{user.email or 'no e-mail: nothing is sent'}>: digest {'on' if prefs.digest else 'off'} "
        f"({out['digest_weekday']}), alerts {'on' if prefs.alerts else 'off'} after {prefs.threshold_hours:g} h, "
        f"language {prefs.lang or 'default'}, quiet hours {quiet_text}.", highlight=False)
