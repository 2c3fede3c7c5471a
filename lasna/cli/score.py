"""`lasna score` and `lasna posts`: the numbers, and the posts behind them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import typer

from lasna.cli.common import console, open_store, progress

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


def _day(iso: str, *, inclusive_end: bool = False) -> str:
    """The calendar day (programme time zone) of a window bound, as people count days: a window
    ``(6.11. 23:59:59, 20.11. 23:59:59]`` runs from 7.11. to 20.11.; an end exactly at midnight
    belongs to the day before."""
    from zoneinfo import ZoneInfo

    from lasna.window import programme_tz

    try:
        at = datetime.fromisoformat(iso).astimezone(ZoneInfo(programme_tz()))
    except ValueError:
        return iso[:10]
    clock = (at.hour, at.minute, at.second)
    if inclusive_end and clock == (0, 0, 0) and at.microsecond == 0:
        at -= timedelta(days=1)
    elif not inclusive_end and clock >= (23, 59, 59):  # the start bound is the end of the day before
        at += timedelta(days=1)
    return at.date().isoformat()


FEATURE_TAGS = (  # (feature column, short tag) shown by `lasna posts`
    ("question", "question"), ("first_person_singular", "I"), ("first_person_plural", "we"),
    ("crediting", "credit"), ("results_marker", "results"), ("has_link", "link"),
    ("reply_to_other", "dialogue"), ("self_thread", "thread"), ("low_substance", "low-substance"),
    ("emoji_only", "emoji-only"),
)


def repost_target(uri) -> str:
    from lasna.frames import repost_target as target

    return target(uri) or "an unknown post"


def _truthy(value) -> bool:
    try:
        return bool(value) and value == value
    except (TypeError, ValueError):
        return False


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
        if days is not None and days <= 0:
            raise InputError(f"--days must be a positive number of days, not {days}")
        from lasna import scoring_service

        store = open_store()
        end, window = scoring_service.resolve_window(
            days=days, since=_parse_date(since, "--since"), until=_parse_date(until, "--until", end_of_day=True)
        )
        wanted = set(scoring_service.leader_ids(store, leader or []))
        from lasna import facts

        with progress("Scoring") as step:
            report = facts.score_window(store, sorted(wanted) or None, until=end, days=window, by=by,
                                        reference=reference)
            step()
        result = report.to_dict()
        if wanted:
            result["leaders"] = [e for e in result["leaders"] if e["leader_id"] in wanted]
        from lasna import coverage

        ledger = coverage.summary(store, [e["leader_id"] for e in result["leaders"]],
                                  since=end - timedelta(days=window), until=end)
        for entry in result["leaders"]:  # how complete the replies behind the responsiveness figures are
            entry["coverage"] = ledger.get(entry["leader_id"])
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        from rich.table import Table

        table = Table("Leader", "Period", "Openness", "Responsiveness", "Network", "Consistency")
        for entry in result["leaders"]:
            for period in entry["periods"]:
                c = period["composites"]
                table.add_row(
                    entry["leader"], _day(period["start"]) + " – " + _day(period["end"], inclusive_end=True),
                    *(f"{c[k]:.0f}" if c[k] is not None else "–" for k in ("openness", "responsiveness", "network", "consistency")),
                )
        console().print(table)
        console().print("Components, n and evidence posts: lasna score --json")

    @app.command("posts")
    def posts_cmd(
        leader: str = typer.Option(..., "--leader", help="The leader whose posts to show."),
        days: int = typer.Option(90, "--days", help="How many days back."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per post)."),
    ) -> None:
        """Per-post features and post type, so any number can be audited down to a post."""
        from lasna.errors import InputError

        if days <= 0:
            raise InputError(f"--days must be a positive number of days, not {days}")
        from lasna import scoring_service

        store = open_store()
        with progress("Reading posts and their features") as step:
            frame = scoring_service.posts_with_features(store, leader, days=days)
            step()
        if as_json:
            records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
            typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
            return
        if frame.empty:
            console().print(f"No posts in the last {days} days.")
            return
        from rich.table import Table

        table = Table("Time", "Type", "Features", "Text")
        for row in frame.sort_values("created_at").to_dict("records"):
            tags = [tag for column, tag in FEATURE_TAGS if _truthy(row.get(column))]
            if isinstance(row.get("lang_detected"), str):
                tags.insert(0, row["lang_detected"])
            if _truthy(row.get("n_words")):
                tags.insert(1 if tags else 0, f"{int(row['n_words'])} words")
            text = str(row.get("text") or "")
            if _truthy(row.get("is_repost")):
                text = f"↻ repost of {repost_target(row.get('repost_of_id'))}" + (f": {text}" if text else "")
            elif isinstance(row.get("quote_of_id"), str):
                text = f"{text}  [quotes {row['quote_of_id']}]"
            kind = "repost" if _truthy(row.get("is_repost")) else str(row.get("post_type") or "–")
            table.add_row(row["created_at"].strftime("%Y-%m-%d %H:%M"), kind, ", ".join(tags) or "–",
                          text if text.startswith("↻") else text[:120])
        console().print(table)
        console().print("Features: lasna posts --json (all columns, including why the post type was chosen)")
