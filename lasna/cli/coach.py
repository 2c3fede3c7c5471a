"""Coaching commands: `lasna report`, `lasna tips`, `lasna waiting`, `lasna goals ...`, `lasna sessions ...`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from lasna.cli.common import console, open_store, progress
from lasna.errors import InputError

goals_app = typer.Typer(help="Goals: a target for a metric by a deadline, and how it is going.", no_args_is_help=True)
sessions_app = typer.Typer(help="Sparring sessions a consultant holds with a leader.", no_args_is_help=True)

LANG_HELP = "Language of the texts: fi or en."


def _service(today: str | None = None):
    from lasna.coach_service import CoachService

    return CoachService(open_store(), today=date.fromisoformat(today) if today else None)


def _lang(lang: str) -> str:
    if lang not in ("fi", "en"):
        raise InputError(f"unknown language {lang!r}", hint="use --lang fi or --lang en")
    return lang


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"{name} must be a date like 2026-03-31, not {value!r}") from exc


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        leader: str = typer.Option(None, "--leader", help="Leader's name (or id)."),
        out: Path = typer.Option(None, "--out", help="File to write."),
        all_leaders: bool = typer.Option(False, "--all", help="One report per active leader (a programme day)."),
        out_dir: Path = typer.Option(None, "--out-dir", help="With --all: the folder to write the reports to."),
        format: str = typer.Option("html", "--format", help="html | pdf | csv."),
        session: int = typer.Option(None, "--session", help="Include this sparring session (id)."),
        lang: str = typer.Option("fi", "--lang", help=LANG_HELP),
        today: str = typer.Option(None, "--today", help="Report as of this date (YYYY-MM-DD); default today."),
    ) -> None:
        """Write a leader's report (self-contained HTML, PDF or CSV of the metrics), or with
        --all --out-dir DIR one report per leader (file names like lasna-jari-makinen-fi.pdf)."""
        from coaching import reports

        if format not in ("html", "pdf", "csv"):
            raise InputError(f"unknown format {format!r}", hint="use --format html, pdf or csv")
        lang = _lang(lang)
        if all_leaders:
            if leader or out or session is not None:
                raise InputError("--all writes every leader's report: drop --leader, --out and --session")
            if out_dir is None:
                raise InputError("--all needs --out-dir DIR")
        elif not leader or out is None:
            raise InputError("give --leader NAME and --out FILE (or --all --out-dir DIR)")
        elif out_dir is not None:
            raise InputError("--out-dir goes with --all; for one leader use --out FILE")
        svc = _service(today)
        names = [lead.name for lead in svc.store.leaders()] if all_leaders else [leader]
        if all_leaders and not names:
            raise InputError("no active leaders to report on", hint="add one with `lasna leaders add`")
        written = []
        with progress("Writing reports" if all_leaders else "Building the report", total=len(names)) as step:
            for name in names:
                rep = svc.leader_report(name, session_id=session, lang=lang)
                target = out_dir / reports.report_file_name(rep.leader, lang, format) if all_leaders else out
                if all_leaders and any(target == done for _, done in written):  # names alike once ASCII
                    target = target.with_stem(f"{target.stem}-{rep.leader_id}")
                target.parent.mkdir(parents=True, exist_ok=True)
                if format == "html":
                    target.write_text(reports.report_html(rep), encoding="utf-8")
                elif format == "csv":
                    target.write_text(reports.report_csv(rep), encoding="utf-8")
                else:
                    target.write_bytes(reports.report_pdf(rep))
                written.append((rep.leader, target))
                step(description=f"Wrote {rep.leader}")
        for name, target in written:
            console().print(f"Wrote {format.upper()} report for {name} to {target}", highlight=False)

    @app.command()
    def tips(
        leader: str = typer.Option(..., "--leader", help="Leader's name (or id)."),
        lang: str = typer.Option("fi", "--lang", help=LANG_HELP),
        today: str = typer.Option(None, "--today", help="As of this date (YYYY-MM-DD)."),
        dismiss: str = typer.Option(None, "--dismiss", help="Dismiss this tip key (it stays away for 28 days)."),
        done: str = typer.Option(None, "--done", help="Mark this tip key done."),
    ) -> None:
        """This week's tips for a leader (at most three), or dismiss/complete one."""
        svc = _service(today)
        if dismiss or done:
            svc.dismiss_tip(leader, dismiss or done, "dismissed" if dismiss else "done")
            console().print(f"Noted: {dismiss or done} {'dismissed' if dismiss else 'done'}.")
            return
        with progress("Working out this week's tips") as step:
            tipset = svc.tips(leader, lang=_lang(lang))
            step()
        if not tipset.tips:
            console().print(tipset.message() or ("Ei vinkkejä tällä viikolla." if lang == "fi" else "No tips this week."))
        for i, t in enumerate(tipset.tips, 1):
            console().print(f"[bold]{i}. {t.title}[/]  [dim]({t.key}; {t.step_name})[/]", highlight=False)
            console().print(f"   {t.why}", highlight=False)
            console().print(f"   → {t.action}", highlight=False)
            for e in t.evidence[:3]:
                console().print(f"     [dim]{e.url or e.id}[/]", highlight=False)

    @app.command()
    def waiting(
        leader: str = typer.Option(..., "--leader", help="Leader's name (or id)."),
        days: int = typer.Option(30, "--days", help="Only messages from the last DAYS days."),
        today: str = typer.Option(None, "--today", help="As of this date (YYYY-MM-DD)."),
    ) -> None:
        """Conversations waiting: replies and mentions the leader has not answered, newest first."""
        w = _service(today).waiting(leader, max_age_days=days)
        if w.empty:
            console().print("Nothing waiting.")
        for r in w.itertuples(index=False):
            console().print(f"{r.age_hours / 24:5.1f} d  {r.author}: {r.text}  [dim]{r.url or ''}[/]", highlight=False)

    @goals_app.command("add")
    def goals_add(
        leader: str = typer.Option(..., "--leader", help="Leader's name (or id)."),
        metric: str = typer.Option(..., "--metric", help="Component or composite key, e.g. response_rate."),
        target: str = typer.Option(
            ..., "--target",
            help="Target in the metric's own unit: percent for shares (80 or 0.8 = 80 %), hours for response "
                 "time, 1–100 for composites. A decimal comma is fine (0,8).",
        ),
        deadline: str = typer.Option(..., "--deadline", help="YYYY-MM-DD."),
        start: str = typer.Option(None, "--start", help="YYYY-MM-DD; default today."),
        description: str = typer.Option("", "--description", help="The goal in the leader's words."),
    ) -> None:
        """Add a goal for a leader."""
        from coaching.evidence import fmt_value
        from coaching.goals import GOAL_METRICS, TargetError, parse_target

        if metric not in GOAL_METRICS:
            raise InputError(f"no goal can be set for metric {metric!r}",
                             hint="use one of: " + ", ".join(GOAL_METRICS))
        try:
            value = parse_target(metric, target)
        except TargetError as exc:
            raise InputError(exc.message("en")) from None
        deadline_day = _date(deadline, "--deadline")
        svc = _service()
        g = svc.add_goal(leader, metric, value, deadline_day, start=_date(start, "--start"), description=description)
        console().print(f"Goal {g.id}: {g.metric} → {fmt_value(g.metric, g.target, 'en')} by {g.deadline}",
                      highlight=False)

    @goals_app.command("list")
    def goals_list(
        leader: str = typer.Option(..., "--leader", help="Leader's name (or id)."),
        today: str = typer.Option(None, "--today", help="As of this date (YYYY-MM-DD)."),
    ) -> None:
        """List a leader's goals with their status."""
        for p in _service(today).goal_progress(leader):
            cur = "–" if p.current is None else f"{p.current:.3g}"
            console().print(f"{p.goal.id}: {p.goal.metric} → {p.goal.target:g} by {p.goal.deadline}: now {cur}, {p.status}",
                          highlight=False)

    @goals_app.command("remove")
    def goals_remove(goal_id: int = typer.Argument(..., help="Goal id.")) -> None:
        """Delete a goal."""
        open_store().delete_goal(goal_id)
        console().print(f"Goal {goal_id} removed.")

    @sessions_app.command("add")
    def sessions_add(
        leader: str = typer.Option(..., "--leader", help="Leader's name (or id)."),
        period_start: str = typer.Option(..., "--from", help="Start of the period under review (YYYY-MM-DD)."),
        period_end: str = typer.Option(..., "--to", help="End of the period under review (YYYY-MM-DD)."),
        notes: str = typer.Option("", "--notes", help="Session notes."),
        action: list[str] = typer.Option([], "--action", help="An agreed action (repeat for several)."),
        next_session: str = typer.Option(None, "--next", help="Next session date (YYYY-MM-DD)."),
        consultant: str = typer.Option(None, "--consultant", help="Who held the session."),
        held_on: str = typer.Option(None, "--held-on", help="Date held (YYYY-MM-DD); default today."),
    ) -> None:
        """Record a sparring session (baseline = the same length just before the period)."""
        s = _service().record_session(
            leader, period_start=_date(period_start, "--from"), period_end=_date(period_end, "--to"), notes=notes,
            actions=action, next_session=_date(next_session, "--next"), consultant=consultant,
            held_on=_date(held_on, "--held-on"))
        console().print(f"Session {s.id} recorded for {leader}.")

    @sessions_app.command("list")
    def sessions_list(leader: str = typer.Option(..., "--leader", help="Leader's name (or id).")) -> None:
        """A leader's sparring sessions, oldest first, with agreed actions."""
        for s in _service().session_history(leader):
            console().print(f"{s.id}: {s.held_on} ({s.period_start}–{s.period_end}) actions: {'; '.join(s.actions) or '–'}",
                          highlight=False)

    app.add_typer(goals_app, name="goals")
    app.add_typer(sessions_app, name="sessions")
