"""Coaching blocks: this week's tips, goals, sparring sessions and report downloads.

Layout only: every read and write goes through ``dashboard.data``, which checks access first.
Tip texts quote strangers (a waiting question, an author's name), so they pass through
``md_escape``; evidence links are kept only when they are http(s) and are percent-quoted so
nothing in them can close the markdown link.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pandas as pd
import streamlit as st

from coaching.evidence import fmt_value, snippet
from coaching.score_adapter import metric_name
from dashboard import data
from dashboard.i18n import fmt_date, md_escape, t
from lasna.access import Viewer
from lasna.errors import InputError

DATE_FORMAT = {"fi": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
#: the Sparring page's "Add a goal" expander (its state: the form runs only while it is open)
GOAL_FORM_KEY = "goal_add_open"


def safe_link(url) -> str | None:
    """An http(s) URL quoted for a markdown link target, or None."""
    if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
        return None
    return quote(url, safe=":/?#&=%+@,;~!$*'")


def _evidence_lines(tip, lang: str) -> list[str]:
    lines = []
    for ev in tip.evidence[:3]:
        link = safe_link(ev.url)
        label = md_escape(snippet(ev.text, 80)) if ev.text else md_escape(t("tips.open", lang))
        who = f"{md_escape(ev.author)}, " if ev.author else ""
        when = fmt_date(ev.at, lang) if ev.at is not None else ""
        head = f"{who}{when}: " if (who or when) else ""
        lines.append(f"- {head}{label}" + (f" [{t('tips.open', lang)}]({link})" if link else ""))
    return lines


def coach_ready(lang: str) -> bool:
    """True when the shared coaching service is ready; else a note, and a poll every 3 s that
    reruns the page once it is."""
    status = data.coach_status()
    if status == "ready":
        return True
    if status == "off":
        st.caption(t("coach.off", lang))
        return False
    if status == "failed":
        st.warning(t("coach.failed", lang))
        return False

    def poll() -> None:
        if data.coach_status() != "pending":
            st.rerun(scope="app")
        st.info(t("coach.pending", lang))

    st.fragment(poll, run_every=3)()
    return False


def tips_section(viewer: Viewer, leader_id: int, lang: str) -> None:
    """At most three tips for this week, each with Done / Not now."""
    st.subheader(t("tips.title", lang))
    if not coach_ready(lang):
        return
    tipset = data.tips(viewer, leader_id, lang)
    if not tipset.tips:
        st.info(tipset.message() or t("tips.none", lang))
        return
    for tip in tipset.tips:
        with st.container(border=True):
            st.caption(md_escape(tip.step_name))
            st.markdown(f"**{md_escape(tip.title)}**")
            st.markdown(f"{t('tips.why', lang)}: {md_escape(tip.why)}")
            st.markdown(f"{t('tips.this_week', lang)}: {md_escape(tip.action)}")
            lines = _evidence_lines(tip, lang)
            if lines:
                st.markdown(f"{t('tips.evidence', lang)}:\n\n" + "\n".join(lines))
            row = st.container(horizontal=True, gap="small")  # side by side on a phone too
            done, later = row, row
            if done.button(t("tips.done", lang), key=f"tip_done_{tip.key}", icon=":material/check:"):
                data.dismiss_tip(viewer, leader_id, tip.key, "done")
                st.toast(t("tips.marked_done", lang))
                st.rerun()
            if later.button(t("tips.not_now", lang), key=f"tip_later_{tip.key}"):
                data.dismiss_tip(viewer, leader_id, tip.key, "dismissed")
                st.toast(t("tips.snoozed", lang))
                st.rerun()


def goals_frame(progress, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "metric": metric_name(p.metric, lang),
                "target": fmt_value(p.metric, p.goal.target, lang),
                "current": fmt_value(p.metric, p.current, lang),
                "deadline": fmt_date(p.goal.deadline, lang),
                "status": t(f"goal.status.{p.status}", lang),
                "description": p.goal.description or "",
            }
            for p in progress
        ],
        columns=["metric", "target", "current", "deadline", "status", "description"],
    )


def goals_section(viewer: Viewer, leader_id: int, lang: str, *, poll: bool = True) -> None:
    """Goals with metric, target, current value and status; ``poll=False`` when the tips above
    already show the "being worked out" note and poll."""
    if data.coach_status() == "off":
        return
    st.subheader(t("goals.title", lang))
    if not (coach_ready(lang) if poll else data.coach_status() == "ready"):
        return
    progress = data.goal_progress(viewer, leader_id)
    if not progress:
        st.caption(t("goals.none", lang))
        return
    st.dataframe(
        goals_frame(progress, lang),
        column_config={
            "metric": t("col.metric", lang),
            "target": t("goals.target", lang),
            "current": t("goals.current", lang),
            "deadline": t("goals.deadline", lang),
            "status": t("goals.status", lang),
            "description": st.column_config.TextColumn(t("goals.description", lang), width="medium"),
        },
        hide_index=True,
        width="stretch",
        key="goals_table",
    )


def suggested_target(metric: str, current: float | None, lang: str) -> str:
    """A sensible starting target in the metric's own unit: a notch better than now, or a
    common programme target when there is no current value yet."""
    from coaching.goals import parse_target, shown_target, target_unit
    from coaching.score_adapter import higher_is_better, metric_unit

    unit, kind = target_unit(metric), metric_unit(metric)
    if current is None:
        shown = {"share": 80, "hours": 24, "percentile": 60, "points": 0}.get(kind)
        if shown is None:
            return ""
    else:
        now = shown_target(metric, current)
        better = 1 if higher_is_better(metric) else -1
        if kind in ("share", "percentile", "points"):
            shown = round(now / 5) * 5 + 10 * better
        elif kind == "hours":
            shown = max(1.0, round(now * 0.75))
        else:
            shown = round(now * (1.2 if better > 0 else 0.8), unit.decimals)
        shown = min(unit.hi, max(unit.lo, shown))
    text = f"{shown:.{unit.decimals}f}".rstrip("0").rstrip(".") if unit.decimals else f"{shown:.0f}"
    text = text.replace(".", ",") if lang == "fi" else text
    try:
        parse_target(metric, text, lang)
    except ValueError:
        return ""
    return text


def goal_form(viewer: Viewer, leader_id: int, lang: str) -> None:
    """Metric, target in the metric's own unit (%, hours, 0–100; decimal comma accepted) with the
    current value beside it, deadline and description. Nothing out of range is saved."""
    from coaching.goals import GOAL_METRICS, TargetError, parse_target, target_unit

    today = data.today_end().date()
    metric = st.selectbox(t("col.metric", lang), GOAL_METRICS, format_func=lambda k: metric_name(k, lang),
                          key="goal_metric")
    unit = target_unit(metric)
    current = data.goal_current(viewer, leader_id, metric) if data.coach_status() == "ready" else None
    suffix = unit.suffix[lang]
    lo, hi = (f"{v:g}".replace(".", ",") if lang == "fi" else f"{v:g}" for v in (unit.lo, unit.hi))
    left, right = st.columns([3, 2])
    target = left.text_input(
        t("goals.target", lang) + (f" ({suffix})" if suffix else ""),
        value=suggested_target(metric, current, lang),
        help=t("goals.target_range", lang).format(lo=lo, hi=hi, suffix=suffix).replace(" .", "."),
        key=f"goal_target_{metric}",
    )
    right.metric(t("goals.current", lang), fmt_value(metric, current, lang))
    value, problem = None, None
    if target.strip():
        try:
            value = parse_target(metric, target, lang)
        except TargetError as exc:
            problem = exc.message(lang)
    if problem:
        left.error(problem)
    elif value is not None:
        left.caption(t("goals.will_save", lang).format(value=fmt_value(metric, value, lang)))
    deadline = st.date_input(t("goals.deadline", lang), value=today + timedelta(days=90),
                             min_value=today + timedelta(days=1), format=DATE_FORMAT[lang], key="goal_deadline")
    description = st.text_input(t("goals.description", lang), key="goal_description")
    if st.button(t("goals.save", lang), key="goal_save", type="primary"):
        if value is None:
            st.error(problem or t("goals.need_target", lang))
            return
        try:
            data.add_goal(viewer, leader_id, metric, value, deadline, description=description)
        except TargetError as exc:
            st.error(exc.message(lang))
        except InputError as exc:
            st.error(md_escape(str(exc)))
        else:
            for key in (f"goal_target_{metric}", "goal_description"):
                st.session_state.pop(key, None)
            _saved("goals.saved")


FLASH_KEY = "_lasna_saved"


def _saved(key: str) -> None:
    """Rerun so the tables above show the new row, and say so on the next run."""
    st.session_state[FLASH_KEY] = key
    st.rerun()


def flash(lang: str) -> None:
    """The "saved" message left by the previous run, once."""
    key = st.session_state.pop(FLASH_KEY, None)
    if key:
        st.success(t(key, lang))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def session_form(viewer: Viewer, leader_id: int, lang: str, period: tuple[date, date],
                 baseline: tuple[date, date]) -> None:
    """Record a session; the dates start as the page's period and baseline (and follow them when
    the page's period changes)."""
    today = data.today_end().date()
    tag = f"{period[0]:%Y%m%d}_{period[1]:%Y%m%d}"
    with st.form("session_form", clear_on_submit=True):
        left, right = st.columns(2)
        period = left.date_input(t("session.period", lang), value=period, format=DATE_FORMAT[lang],
                                 key=f"session_period_{tag}")
        baseline = right.date_input(t("session.baseline", lang), value=baseline, format=DATE_FORMAT[lang],
                                    key=f"session_baseline_{tag}")
        notes = st.text_area(t("session.notes", lang), key="session_notes")
        actions = st.text_area(t("session.actions", lang), help=t("session.actions_help", lang),
                               key="session_actions")
        next_date = st.date_input(t("session.next", lang), value=today + timedelta(days=28),
                                  format=DATE_FORMAT[lang], key="session_next")
        if st.form_submit_button(t("session.save", lang)):
            if len(period) != 2 or len(baseline) != 2:
                st.error(t("session.need_dates", lang))
                return
            try:
                data.record_session(
                    viewer, leader_id, period_start=period[0], period_end=period[1], baseline_start=baseline[0],
                    baseline_end=baseline[1], notes=notes, actions=_lines(actions), next_session=next_date,
                )
            except InputError as exc:
                st.error(md_escape(str(exc)))
            else:
                _saved("session.saved")


def session_history(viewer: Viewer, leader_id: int, lang: str) -> None:
    st.subheader(t("session.history", lang))
    history = data.session_history(viewer, leader_id)
    if not history:
        st.caption(t("session.none", lang))
        return
    last = history[0]
    with st.container(border=True):
        st.markdown(f"**{t('session.last_actions', lang).format(date=fmt_date(last.held_on, lang))}**")
        if last.actions:
            st.markdown("\n".join(f"- {md_escape(a)}" for a in last.actions))
        else:
            st.caption(t("session.no_actions", lang))
        if last.next_session:
            st.caption(t("session.next_on", lang).format(date=fmt_date(last.next_session, lang)))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "held_on": fmt_date(s.held_on, lang),
                    "period": f"{fmt_date(s.period_start, lang)} – {fmt_date(s.period_end, lang)}",
                    "consultant": s.consultant or "",
                    "actions": " · ".join(s.actions),
                    "notes": s.notes,
                    "next": fmt_date(s.next_session, lang) if s.next_session else "–",
                }
                for s in history
            ]
        ),
        column_config={
            "held_on": t("session.held_on", lang),
            "period": t("col.period", lang),
            "consultant": t("session.consultant", lang),
            "actions": st.column_config.TextColumn(t("session.actions_col", lang), width="large"),
            "notes": st.column_config.TextColumn(t("session.notes", lang), width="large"),
            "next": t("session.next", lang),
        },
        hide_index=True,
        width="stretch",
        key="session_table",
    )


def report_file_name(leader: str, lang: str, fmt: str) -> str:
    """``lasna-jari-makinen-fi.pdf`` (the same names `lasna report --all` writes)."""
    from coaching.reports import report_file_name as name

    return name(leader, lang, fmt)


def report_downloads(viewer: Viewer, leader_id: int, leader: str, lang: str) -> None:
    """HTML, PDF and CSV of the leader report in the UI language, generated when clicked."""
    st.subheader(t("report.title", lang))
    history = data.session_history(viewer, leader_id)
    options = [None, *(s.id for s in history)]
    held = {s.id: fmt_date(s.held_on, lang) for s in history}
    session_id = st.selectbox(
        t("report.session", lang), options, index=1 if history else 0,
        key=f"report_session_{history[0].id if history else 0}",  # a new session becomes the default
        format_func=lambda i: t("report.no_session", lang) if i is None else held[i],
    )
    cols = st.columns(len(data.REPORT_FORMATS))
    for col, (fmt, mime) in zip(cols, data.REPORT_FORMATS.items()):
        col.download_button(
            t(f"report.{fmt}", lang),
            data=lambda fmt=fmt: data.leader_report(viewer, leader_id, fmt, lang, session_id=session_id),
            file_name=report_file_name(leader, lang, fmt),
            mime=mime,
            key=f"report_{fmt}",
            icon=":material/download:",
        )
