"""`lasna score` and `lasna posts`: the numbers, and the posts behind them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.table import Table

from lasna import scoring_service
from lasna.cli.common import console, open_store

BY_CHOICES = ("week", "month")


def _parse_date(value: str | None, option: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date or datetime, in the programme time zone unless it says otherwise; a plain date as
    an end bound means the end of that day (the window convention of :mod:`lasna.window`)."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    from lasna.errors import InputError
    from lasna.window import day_end, programme_tz

    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} expects a date like 2026-03-31, got {value!r}") from None
    if end_of_day and len(value) == 10:
        return day_end(parsed.date())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(programme_tz()))
    return parsed.astimezone(UTC)


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score_cmd(
        leader: list[str] = typer.Option(None, "--leader", help="Only these leaders (repeatable); default all."),
        days: int = typer.Option(None, "--days", help="Window length in days (default 90)."),
        since: str = typer.Option(None, "--since", help="Window start date (instead of --days), e.g. 2026-01-01."),
        until: str = typer.Option(None, "--until", help="Window end date (default now)."),
        by: str = typer.Option(None, "--by", help="Also split the window by week or month."),
        reference: str = typer.Option(
            None, "--reference",
            help="Percentiles within the leader's cohort or among all leaders (default: the score_reference setting, cohort).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: composites and components with n and evidence."),
    ) -> None:
        """Score leaders: Openness, Responsiveness, Network, Consistency and their components."""
        from lasna.errors import InputError

        if by is not None and by not in BY_CHOICES:
            raise InputError(f"--by must be week or month, not {by!r}")
        if reference is not None and reference not in ("all", "cohort"):
            raise InputError(f"--reference must be all or cohort, not {reference!r}")
        store = open_store()
        end, window = scoring_service.resolve_window(
            days=days, since=_parse_date(since, "--since"), until=_parse_date(until, "--until", end_of_day=True)
        )
        wanted = set(scoring_service.leader_ids(store, leader or []))
        from lasna import facts

        report = facts.score_window(store, sorted(wanted) or None, until=end, days=window, by=by,
                                    reference=reference)
        result = report.to_dict()
        if wanted:
            result["leaders"] = [e for e in result["leaders"] if e["leader_id"] in wanted]
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        table = Table("Leader", "Period", "Openness", "Responsiveness", "Network", "Consistency")
        for entry in result["leaders"]:
            for period in entry["periods"]:
                c = period["composites"]
                table.add_row(
                    entry["leader"], period["start"][:10] + " – " + period["end"][:10],
                    *(f"{c[k]:.0f}" if c[k] is not None else "–" for k in ("openness", "responsiveness", "network", "consistency")),
                )
        console.print(table)
        console.print("Components, n and evidence posts: lasna score --json")

    @app.command("posts")
    def posts_cmd(
        leader: str = typer.Option(..., "--leader", help="The leader whose posts to show."),
        days: int = typer.Option(90, "--days", help="How many days back."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per post)."),
    ) -> None:
        """Per-post features and post type, so any number can be audited down to a post."""
        store = open_store()
        frame = scoring_service.posts_with_features(store, leader, days=days)
        if as_json:
            records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
            typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
            return
        table = Table("Time", "Type", "Text")
        for row in frame.sort_values("created_at").itertuples():
            table.add_row(row.created_at.strftime("%Y-%m-%d %H:%M"), str(row.post_type), row.text[:90])
        console.print(table)
