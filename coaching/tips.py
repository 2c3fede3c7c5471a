"""The weekly tip engine: rules that turn components, trends and peer comparisons into at most three tips.

Pure. Input is a :class:`TipContext` (build it with :func:`build_context` from score reports and frames);
output is a :class:`TipSet`. Every tip carries

* ``key`` and its ``step`` in the five-step adoption model (1 why we are there, 2 a few principles,
  3 roles, 4 resources so it doesn't burn out like a shooting star, 5 encouraging leadership with
  follow-up),
* ``why``: the metric, its value, its n and a comparison (own previous period, cohort median, goal),
* ``action``: one concrete thing for this week, built from real items (unanswered messages, their
  authors and texts, the leader's own posts),
* ``evidence``: the posts/messages behind it (never empty: a rule that finds none does not fire).

Rules never fire on fewer data points than they need (``RULES[key].min_n``); those become
:class:`DataGap` entries, shown as "not enough data yet". Ranking: priority = weight × (0.5 + severity),
a second tip from the same step counts 0.7×; at most ``limit`` (3) tips. A tip the leader dismissed or
marked done is not shown again for ``snooze_days`` (default 28).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, cast

import pandas as pd

from coaching.evidence import (
    Evidence,
    fmt_date,
    fmt_hours,
    fmt_short_date,
    fmt_value,
    interaction_evidence,
    post_evidence,
    snippet,
)
from coaching.goals import GoalProgress
from coaching.score_adapter import MetricValue, attach_features, emoji_only, link_answers, metric_name
from coaching.texts import phrase, step_name, tip_text
from lasna.types import TipFeedback
from coaching.waiting import conversations_waiting, pick_first

DEFAULT_SNOOZE_DAYS = 28
DEFAULT_LIMIT = 3
SAME_STEP_FACTOR = 0.7


@dataclass(frozen=True)
class Rule:
    key: str
    step: int
    metric: str
    weight: float
    min_n: int


RULES: dict[str, Rule] = {r.key: r for r in [
    Rule("answer_waiting", 2, "response_rate", 1.00, 10),
    Rule("keep_rhythm", 4, "active_weeks", 0.95, 8),
    Rule("open_replies", 2, "gated_share", 0.90, 8),
    Rule("answer_critics", 2, "critical_answer_gap", 0.85, 5),
    Rule("goal_at_risk", 5, "goal", 0.85, 5),
    Rule("respond_faster", 2, "response_time", 0.80, 10),
    Rule("reply_more", 2, "dialogue_share", 0.75, 10),
    Rule("widen_network", 3, "reciprocity", 0.60, 8),
    Rule("ask_questions", 1, "questions", 0.55, 8),
    Rule("personal_voice", 1, "personal_voice", 0.50, 10),
    Rule("credit_others", 3, "crediting", 0.45, 10),
    Rule("show_results", 1, "results", 0.45, 10),
    Rule("regain_ground", 5, "any", 0.70, 10),
    Rule("celebrate_progress", 5, "any", 0.30, 10),
    Rule("keep_strength", 5, "any", 0.20, 10),
]}


@dataclass(frozen=True)
class DataGap:
    rule: str
    metric: str
    n: float
    needed: int

    def message(self, lang: str = "fi") -> str:
        return phrase("gap", lang, metric=metric_name(self.metric, lang) if self.metric not in ("goal", "any")
                      else self.rule, needed=self.needed, n=int(self.n))


@dataclass(frozen=True)
class Tip:
    key: str
    step: int
    metric: str
    value: float | None
    n: float
    comparison: dict  # {"baseline": v, "cohort": v, "goal": v} (whichever exist)
    evidence: tuple[Evidence, ...]
    priority: float
    params: dict = field(repr=False, compare=False, default_factory=dict)  # raw params to re-render
    lang: str = "fi"
    title: str = ""
    why: str = ""
    action: str = ""
    variant: str = "action"

    @property
    def step_name(self) -> str:
        return phrase("step", self.lang, step=self.step, name=step_name(self.step, self.lang))

    def render(self, lang: str) -> Tip:
        """The same tip in another language."""
        p = _format_params(self.params, lang)
        return replace(self, lang=lang, title=tip_text(self.key, "title", lang, **p),
                       why=tip_text(self.key, "why", lang, **p), action=tip_text(self.key, self.variant, lang, **p))

    def to_dict(self) -> dict:
        return {"key": self.key, "step": self.step, "step_name": self.step_name, "metric": self.metric,
                "value": self.value, "n": self.n, "comparison": dict(self.comparison), "title": self.title,
                "why": self.why, "action": self.action, "priority": round(self.priority, 3),
                "evidence": [e.to_dict() for e in self.evidence], "lang": self.lang}


@dataclass(frozen=True)
class TipSet:
    tips: tuple[Tip, ...]
    gaps: tuple[DataGap, ...] = ()
    snoozed: tuple[str, ...] = ()
    lang: str = "fi"

    def __iter__(self):
        return iter(self.tips)

    def __len__(self) -> int:
        return len(self.tips)

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.tips]

    def message(self) -> str | None:
        """"Not enough data yet" when no tip could be given because data is missing, else None."""
        if self.tips or not self.gaps:
            return None
        return phrase("not_enough_data", self.lang)


@dataclass
class TipContext:
    """Everything the rules look at, for one leader."""

    leader_id: int
    leader: str
    today: pd.Timestamp
    days: int
    current: dict[str, MetricValue]
    baseline: dict[str, MetricValue]
    peers: dict[str, float]
    posts: pd.DataFrame  # the leader's own posts (all history up to today)
    interactions: pd.DataFrame  # incoming for the leader, linked (answered_by/answered_at), with "author"
    waiting: pd.DataFrame
    goals: list[GoalProgress] = field(default_factory=list)


def _ts(v) -> pd.Timestamp:
    ts = pd.Timestamp(v)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def build_context(
    leader_id: int,
    *,
    current: dict[str, MetricValue],
    baseline: dict[str, MetricValue] | None,
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    today,
    days: int = 90,
    peers: dict[str, float] | None = None,
    goals: Sequence[GoalProgress] = (),
    leader: str | None = None,
) -> TipContext:
    """Collect one leader's data for the rules. ``posts``/``interactions`` may hold every leader."""
    today_ts = _ts(today)
    p = posts[(posts["leader_id"] == leader_id)]
    p = p[pd.to_datetime(p["indexed_at"], utc=True) <= today_ts]
    if "question" not in p:  # feature flags used to pick evidence posts
        p = attach_features(p.reset_index(drop=True))
    i = interactions[interactions["leader_id"] == leader_id]
    i = i[pd.to_datetime(i["indexed_at"], utc=True) <= today_ts]
    linked = link_answers(p, i)
    author = linked["author_name"].where(linked["author_name"].notna() & (linked["author_name"].astype(str) != ""),
                                         linked["author_handle"])
    linked = linked.assign(author=author.where(author.notna(), linked["author_id"]))
    waiting = conversations_waiting(p, i, leader_id=leader_id, now=today_ts)
    name = leader or (str(p["leader"].iloc[0]) if len(p) else str(i["leader"].iloc[0]) if len(i) else str(leader_id))
    return TipContext(leader_id=leader_id, leader=name, today=today_ts, days=days, current=dict(current),
                      baseline=dict(baseline or {}), peers=dict(peers or {}), posts=p.reset_index(drop=True),
                      interactions=linked.reset_index(drop=True), waiting=waiting, goals=list(goals))


# --- helpers ------------------------------------------------------------------------------------------------
@dataclass
class _Candidate:
    rule: Rule
    mv: MetricValue | None
    severity: float
    params: dict
    evidence: list[Evidence]
    comparison: dict
    variant: str = "action"


def _comparison(ctx: TipContext, key: str, min_n: int) -> dict:
    out = {}
    b = ctx.baseline.get(key)
    if b is not None and b.ok and b.n >= min_n:
        out["baseline"] = b.value
    if key in ctx.peers:
        out["cohort"] = ctx.peers[key]
    return out


def _cmp_text(key: str, comparison: dict, lang: str) -> str:
    parts = []
    for kind in ("baseline", "cohort", "goal"):
        if kind in comparison and comparison[kind] is not None:
            parts.append(phrase(f"cmp.{kind}", lang, value=fmt_value(key, comparison[kind], lang)))
    return "; ".join(parts) if parts else phrase("cmp.none", lang)


def _own(ctx: TipContext) -> pd.DataFrame:
    p = ctx.posts
    if "is_repost" in p:
        p = p[~p["is_repost"].astype(bool)]
    return p.sort_values("indexed_at", ascending=False, kind="stable")


def _roots(ctx: TipContext) -> pd.DataFrame:
    p = _own(ctx)
    return p[p["reply_parent_id"].isna()]


def _recent_roots(ctx: TipContext, k: int = 5, exclude: set | None = None) -> pd.DataFrame:
    r = _roots(ctx)
    r = r[r["text"].fillna("").str.strip().str.len() > 0]
    if exclude:
        r = r[~r["post_id"].isin(exclude)]
    return r.head(k)


def _in_window(ctx: TipContext, frame: pd.DataFrame, days: int | None = None) -> pd.DataFrame:
    t = pd.to_datetime(frame["indexed_at"], utc=True)
    return frame[t > ctx.today - pd.Timedelta(days=days or ctx.days)]


if TYPE_CHECKING:
    class _Measured(MetricValue):
        """A MetricValue whose value is known (what :func:`_metric` returns)."""

        value: float
else:
    _Measured = MetricValue


def _metric(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Measured | None:
    mv = ctx.current.get(rule.metric)
    n = mv.n if mv is not None else 0
    if mv is None or not mv.ok or n < rule.min_n:
        gaps.append(DataGap(rule.key, rule.metric, n, rule.min_n))
        return None
    return cast(_Measured, mv)


def _known(mv: MetricValue | None) -> _Measured | None:
    """``mv`` when it carries a value, else None."""
    return cast(_Measured, mv) if mv is not None and mv.ok else None


def _first_waiting(waiting: pd.DataFrame) -> pd.Series:
    """The message to answer first, from a list known not to be empty."""
    first = pick_first(waiting)
    assert first is not None, "called with an empty waiting list"
    return first


def _pct(mv: MetricValue) -> float:
    return mv.percentile if mv.percentile is not None else 50.0


# --- rules --------------------------------------------------------------------------------------------------
def _answer_waiting(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    mv = _metric(ctx, rule, gaps)
    if mv is None or len(ctx.waiting) == 0:
        return None
    if not (mv.value < 0.6 or _pct(mv) < 40):
        return None
    first = _first_waiting(ctx.waiting)
    since = ctx.waiting["indexed_at"].min()
    ids = [first["interaction_id"]] + [i for i in ctx.waiting["interaction_id"] if i != first["interaction_id"]][:4]
    ev = interaction_evidence(ctx.waiting, ids)
    params = dict(value=("v", rule.metric, mv.value), n=int(mv.n), days=ctx.days,
                  comparison=("cmp", rule.metric, _comparison(ctx, rule.metric, rule.min_n)),
                  count=("count", len(ctx.waiting)), since=("sdate", since), author=str(first["author"]),
                  snippet=snippet(first["text"]))
    severity = max(0.0, (0.6 - mv.value) / 0.6) + min(len(ctx.waiting), 10) / 20
    return _Candidate(rule, mv, severity, params, ev, _comparison(ctx, rule.metric, rule.min_n),
                      "action_question" if bool(first["is_question"]) else "action")


def _respond_faster(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    mv = _metric(ctx, rule, gaps)
    if mv is None:
        return None
    rr = _known(ctx.current.get("response_rate"))
    if rr is None or rr.value < 0.35:  # not answering at all is answer_waiting's job
        return None
    if math.isinf(mv.value) or not (mv.value > 36 or _pct(mv) < 30):  # inf: most unanswered -> answer_waiting
        return None
    li = _in_window(ctx, ctx.interactions)
    ans = li[li["answered_at"].notna()].copy()
    if len(ans) == 0:
        return None
    ans["wait_h"] = (pd.to_datetime(ans["answered_at"], utc=True) - pd.to_datetime(ans["indexed_at"], utc=True)) \
        .dt.total_seconds() / 3600
    ans = ans[~emoji_only(ans["text"].tolist())] if len(ans) else ans
    if len(ans) == 0:
        return None
    recent = ans.sort_values("answered_at", ascending=False).head(10)
    slow = recent.sort_values("wait_h", ascending=False).iloc[0]
    ev = interaction_evidence(ans, [slow["interaction_id"]]) + post_evidence(ctx.posts, [slow["answered_by"]])
    ev += post_evidence(ctx.posts, [e for e in mv.evidence if e != slow["answered_by"]][:3])
    cmp = _comparison(ctx, rule.metric, rule.min_n)
    params = dict(value=("v", rule.metric, mv.value), n=int(mv.n), comparison=("cmp", rule.metric, cmp),
                  author=str(slow["author"]), wait=("hours", float(slow["wait_h"])), snippet=snippet(slow["text"]))
    severity = min(1.5, max(0.0, (mv.value - 24) / 48)) if not math.isinf(mv.value) else 1.5
    return _Candidate(rule, mv, severity, params, ev, cmp)


def _reply_more(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    mv = _metric(ctx, rule, gaps)
    if mv is None or not (mv.value < 0.3 or _pct(mv) < 30):
        return None
    li = _in_window(ctx, ctx.interactions, 30)
    li = li[(li["kind"] == "reply") & li["answered_by"].isna() & li["parent_id"].isin(ctx.posts["post_id"])]
    if len(li):
        li = li[~emoji_only(li["text"].tolist())]
    if len(li) == 0:
        return None
    li = li.sort_values("indexed_at", ascending=False)
    q = li[li["text"].fillna("").str.contains("?", regex=False)]
    first = (q if len(q) else li).iloc[0]
    parent = post_evidence(ctx.posts, [first["parent_id"]])
    ev = interaction_evidence(li, [first["interaction_id"]] + list(li["interaction_id"].iloc[:3])) + parent
    ev = list(dict.fromkeys(ev))
    cmp = _comparison(ctx, rule.metric, rule.min_n)
    params = dict(value=("v", rule.metric, mv.value), n=int(mv.n), comparison=("cmp", rule.metric, cmp),
                  author=str(first["author"]), snippet=snippet(first["text"]),
                  post_snippet=snippet(parent[0].text if parent else "", 60))
    return _Candidate(rule, mv, max(0.0, (0.3 - mv.value) / 0.3), params, ev, cmp)


def _open_replies(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    mv = _metric(ctx, rule, gaps)
    if mv is None or mv.value <= 0.2:
        return None
    ev = post_evidence(ctx.posts, mv.evidence)
    if not ev:
        return None
    latest = max(ev, key=lambda e: e.at or datetime.min)
    cmp = _comparison(ctx, rule.metric, rule.min_n)
    params = dict(value=("v", rule.metric, mv.value), n=int(mv.n), comparison=("cmp", rule.metric, cmp),
                  post_snippet=snippet(latest.text, 60))
    return _Candidate(rule, mv, min(1.5, mv.value / 0.2 - 1 + 0.5), params, ev, cmp)


def _answer_critics(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    """Critical replies go unanswered clearly more often than supportive ones (10 pp or more)."""
    mv = _metric(ctx, rule, gaps)
    if mv is None or mv.value > -0.10:
        return None
    ev = interaction_evidence(ctx.interactions, mv.evidence)
    if not ev:
        return None
    latest = max(ev, key=lambda e: e.at or datetime.min)
    cmp = _comparison(ctx, rule.metric, rule.min_n)
    params = dict(points=str(round(abs(mv.value) * 100)), n=int(mv.n), comparison=("cmp", rule.metric, cmp),
                  author=latest.author or "", snippet=snippet(latest.text))
    return _Candidate(rule, mv, min(1.5, abs(mv.value) / 0.2), params, ev, cmp)


def _post_rule(ctx: TipContext, rule: Rule, gaps: list[DataGap], threshold: float, pct_below: float,
               flag: str | None) -> _Candidate | None:
    """Rules on a share of the leader's own posts: evidence is recent posts that lack the flag."""
    mv = _metric(ctx, rule, gaps)
    if mv is None or not (mv.value < threshold and _pct(mv) < pct_below):
        return None
    roots = _recent_roots(ctx, 20, exclude=set(mv.evidence))
    if flag and flag in roots:
        roots = roots[~roots[flag].astype(bool)]
    roots = roots.head(3)
    if len(roots) == 0:
        return None
    ev = post_evidence(ctx.posts, list(roots["post_id"]))
    cmp = _comparison(ctx, rule.metric, rule.min_n)
    params = dict(value=("v", rule.metric, mv.value), n=int(mv.n), comparison=("cmp", rule.metric, cmp),
                  post_snippet=snippet(ev[0].text, 60))
    severity = max(0.0, (threshold - mv.value) / threshold) * 0.5 + (pct_below - _pct(mv)) / 100
    return _Candidate(rule, mv, severity, params, ev, cmp)


def _widen_network(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    mv = _metric(ctx, rule, gaps)
    if mv is None or not (mv.value < 0.3 or _pct(mv) < 25):
        return None
    li = _in_window(ctx, ctx.interactions)
    li = li[li["kind"].isin(("reply", "mention", "comment"))]
    if len(li):
        li = li[~emoji_only(li["text"].tolist())]
    own = _own(ctx)
    addressed = set(own["reply_parent_author_id"].dropna()) | {m for ms in own["mentions"] for m in (ms or [])}
    cand = li[~li["author_id"].isin(addressed)].sort_values("indexed_at", ascending=False)
    cand = cand.drop_duplicates("author_id").head(3)
    if len(cand) == 0:
        return None
    cmp = _comparison(ctx, rule.metric, rule.min_n)
    names = [str(a) for a in cand["author"]]
    params = dict(value=("v", rule.metric, mv.value), n=int(mv.n), comparison=("cmp", rule.metric, cmp),
                  names=("names", names))
    ev = interaction_evidence(cand, list(cand["interaction_id"]))
    return _Candidate(rule, mv, max(0.0, (0.3 - mv.value) / 0.3), params, ev, cmp)


def rhythm_profile(posts: pd.DataFrame, today, weeks: int = 26) -> dict:
    """Weekly activity of the leader's own posts over the last ``weeks`` weeks (fewer if newer)."""
    p = posts
    if "is_repost" in p:
        p = p[~p["is_repost"].astype(bool)]
    t = pd.to_datetime(p["indexed_at"], utc=True)
    today = _ts(today)
    t = t[t <= today]
    if len(t) == 0:
        return {"posts": 0, "weeks": 0, "active": 0, "peak": 0, "last": None, "days_since": None}
    first = t.min()
    span = max(1, min(weeks, math.ceil((today - first).days / 7)))
    start = today - pd.Timedelta(weeks=span)
    recent = t[t > start]
    week_idx = ((recent - start).dt.total_seconds() // (7 * 86400)).astype(int)
    counts = week_idx.value_counts()
    all_idx = ((t - first).dt.total_seconds() // (7 * 86400)).astype(int)
    return {"posts": int(len(t)), "weeks": int(span), "active": int(counts.size),
            "peak": int(all_idx.value_counts().max()), "last": t.max(), "days_since": (today - t.max()).days}


def _keep_rhythm(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    prof = rhythm_profile(ctx.posts, ctx.today)
    if prof["posts"] < rule.min_n:
        gaps.append(DataGap(rule.key, rule.metric, prof["posts"], rule.min_n))
        return None
    share = prof["active"] / prof["weeks"]
    burst = _known(ctx.current.get("burstiness_score"))
    bursty = burst is not None and burst.n >= rule.min_n and burst.value < 0.5
    silent = prof["days_since"] >= 21
    if not (share < 0.6 or silent or bursty):
        return None
    own = _own(ctx)
    own = own[own["text"].fillna("").str.strip().str.len() > 0]
    latest = pd.concat([own[own["reply_parent_id"].isna()], own[own["reply_parent_id"].notna()]]).head(5)
    ev = post_evidence(ctx.posts, list(latest["post_id"]))
    if not ev:
        return None
    mv = ctx.current.get("active_weeks") or MetricValue("active_weeks", share, prof["weeks"])
    params = dict(active=prof["active"], weeks=prof["weeks"], peak=prof["peak"], last=("date", prof["last"]),
                  n=prof["posts"], post_snippet=snippet(ev[0].text, 60))
    severity = (1 - share) + (0.5 if silent else 0) + (0.3 if bursty else 0)
    mv = replace(mv, value=share, n=float(prof["weeks"]))
    return _Candidate(rule, mv, severity, params, ev, _comparison(ctx, "active_weeks", 4))


def _goal_at_risk(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    risky = [g for g in ctx.goals if g.status == "at_risk"]
    if not risky:
        return None
    g = risky[0]
    key = g.goal.metric
    ev = []
    if key in ("response_rate", "response_time", "responsiveness") and len(ctx.waiting):
        first = _first_waiting(ctx.waiting)  # the clearest next step: the newest question still waiting
        ev = interaction_evidence(ctx.waiting, [first["interaction_id"]])
    ev = ev + post_evidence(ctx.posts, g.evidence) + interaction_evidence(ctx.interactions, g.evidence)
    if not ev:
        own = _own(ctx)
        ev = post_evidence(ctx.posts, list(own["post_id"].head(3)))
    if not ev:
        return None
    params = dict(metric=("metric", key), target=("v", key, g.goal.target), deadline=("date", g.goal.deadline),
                  value=("v", key, g.current), n=int(g.n), expected=("v", key, g.expected), snippet=snippet(ev[0].text))
    mv = MetricValue(key, g.current, g.n, evidence=g.evidence)
    behind = abs((g.expected or 0) - (g.current or 0)) / max(abs(g.goal.target - (g.baseline or 0)), 1e-9)
    return _Candidate(rule, mv, min(1.5, behind), params, ev, {"goal": g.goal.target})


def _answered_recently(ctx: TipContext) -> pd.DataFrame:
    """Incoming messages in the window that the leader answered, newest answer first."""
    answered = _in_window(ctx, ctx.interactions[ctx.interactions["answered_by"].notna()])
    return answered.sort_values("answered_at", ascending=False)


def _showcase_post_ids(ctx: TipContext, key: str, evidence) -> list:
    """Up to three of the leader's posts that show component ``key`` at its best."""
    if key == "response_rate":
        return list(_answered_recently(ctx)["answered_by"].head(3))
    if key == "reciprocity":
        own = _own(ctx)
        return list(own[own["reply_parent_id"].notna()]["post_id"].head(3))
    return list(evidence)


_CELEBRATE = ("response_rate", "dialogue_share", "questions", "re_entry", "reciprocity", "personal_voice",
              "crediting")


def _largest_change(ctx: TipContext, rule: Rule, direction: int, at_least: float):
    """(key, change, current, baseline) of the dialogue component that moved most in ``direction``
    (+1 up, −1 down) against the leader's own previous period, by ``at_least``; None if none did."""
    best = None
    for key in _CELEBRATE:
        cur, base = _known(ctx.current.get(key)), _known(ctx.baseline.get(key))
        if not (cur and base and cur.n >= rule.min_n and base.n >= rule.min_n):
            continue
        change = direction * (cur.value - base.value)
        if change >= at_least and (best is None or change > best[1]):
            best = (key, change, cur, base)
    return best


def _celebrate(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    best = _largest_change(ctx, rule, +1, 0.10)
    if best is None:
        return None
    key, delta, cur, base = best
    ev = post_evidence(ctx.posts, _showcase_post_ids(ctx, key, cur.evidence))
    if key == "response_rate":  # the question that was answered, then the answers
        li = _answered_recently(ctx)
        ev = interaction_evidence(li, list(li["interaction_id"].head(1))) + ev
    ev = [e for e in ev if e.text]
    if not ev:
        return None
    params = dict(metric=("metric", key), before=("v", key, base.value), value=("v", key, cur.value), n=int(cur.n),
                  snippet=snippet(ev[-1].text if ev[0].kind == "interaction" and len(ev) > 1 else ev[0].text))
    return _Candidate(rule, cur, delta * 2, params, ev, {"baseline": base.value})


_STRENGTHS = ("response_rate", "dialogue_share", "reciprocity", "questions", "re_entry", "exchange_share")


def _keep_strength(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    """Name the leader's clearest strength (percentile ≥ 75) so good habits are reinforced, not only gaps."""
    best: MetricValue | None = None
    best_pct = 0.0
    for key in _STRENGTHS:
        mv = ctx.current.get(key)
        if mv is None or not mv.ok or mv.n < rule.min_n or mv.percentile is None or mv.percentile < 75:
            continue
        if best is None or mv.percentile > best_pct:
            best, best_pct = mv, mv.percentile
    if best is None:
        return None
    ev = [e for e in post_evidence(ctx.posts, _showcase_post_ids(ctx, best.key, best.evidence)) if e.text][:3]
    if not ev:
        return None
    cmp = _comparison(ctx, best.key, rule.min_n)
    params = dict(metric=("metric", best.key), value=("v", best.key, best.value), n=int(best.n),
                  comparison=("cmp", best.key, cmp), snippet=snippet(ev[0].text))
    return _Candidate(rule, best, (best_pct - 75) / 50, params, ev, cmp)


def _regain_ground(ctx: TipContext, rule: Rule, gaps: list[DataGap]) -> _Candidate | None:
    """A dialogue component fell clearly (≥ 15 points) below the leader's own previous period."""
    worst = _largest_change(ctx, rule, -1, 0.15)
    if worst is None:
        return None
    key, drop, cur, base = worst
    if key == "response_rate" and len(ctx.waiting):
        first = _first_waiting(ctx.waiting)
        ev = interaction_evidence(ctx.waiting, [first["interaction_id"]])
        example = f"{first['author']}: {snippet(first['text'])}"
    else:
        ev = post_evidence(ctx.posts, list(_recent_roots(ctx, 3)["post_id"]))
        example = snippet(ev[0].text) if ev else ""
    if not ev:
        return None
    params = dict(metric=("metric", key), before=("v", key, base.value), value=("v", key, cur.value), n=int(cur.n),
                  snippet=example)
    return _Candidate(rule, cur, drop * 3, params, ev, {"baseline": base.value})


_RULE_FUNCS = {
    "regain_ground": _regain_ground,
    "keep_strength": _keep_strength,
    "answer_waiting": _answer_waiting,
    "keep_rhythm": _keep_rhythm,
    "open_replies": _open_replies,
    "goal_at_risk": _goal_at_risk,
    "respond_faster": _respond_faster,
    "reply_more": _reply_more,
    "answer_critics": _answer_critics,
    "widen_network": _widen_network,
    "ask_questions": lambda c, r, g: _post_rule(c, r, g, 0.15, 30, "question"),
    "personal_voice": lambda c, r, g: _post_rule(c, r, g, 0.25, 30, "first_person_singular"),
    "credit_others": lambda c, r, g: _post_rule(c, r, g, 0.08, 35, "crediting"),
    "show_results": lambda c, r, g: _post_rule(c, r, g, 0.15, 25, "has_link"),
    "celebrate_progress": _celebrate,
}


# --- rendering ----------------------------------------------------------------------------------------------
def _format_params(params: dict, lang: str) -> dict:
    out: dict[str, object] = {}
    for k, v in params.items():
        if isinstance(v, tuple) and v and isinstance(v[0], str):
            tag = v[0]
            if tag == "v":
                out[k] = fmt_value(v[1], v[2], lang)
            elif tag == "cmp":
                out[k] = _cmp_text(v[1], v[2], lang)
            elif tag == "sdate":
                out[k] = fmt_short_date(v[1], lang)
            elif tag == "date":
                out[k] = fmt_date(v[1], lang)
            elif tag == "hours":
                out[k] = fmt_hours(v[1], lang)
            elif tag == "count":
                out[k] = phrase("messages.one" if v[1] == 1 else "messages.many", lang, n=v[1])
            elif tag == "metric":
                out[k] = metric_name(v[1], lang)
            elif tag == "names":
                names = list(v[1])
                out[k] = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {phrase('and', lang)} {names[-1]}"
            else:
                out[k] = v
        else:
            out[k] = v
    return out


def _to_tip(c: _Candidate, priority: float, lang: str) -> Tip:
    mv = c.mv
    tip = Tip(key=c.rule.key, step=c.rule.step, metric=mv.key if mv else c.rule.metric,
              value=mv.value if mv else None, n=float(mv.n) if mv else 0.0, comparison=c.comparison,
              evidence=tuple(c.evidence), priority=priority, params=c.params, variant=c.variant)
    return tip.render(lang)


def candidates(ctx: TipContext, rules: Iterable[str] | None = None) -> tuple[list[_Candidate], list[DataGap]]:
    gaps: list[DataGap] = []
    out: list[_Candidate] = []
    for key in (rules or RULES):
        c = _RULE_FUNCS[key](ctx, RULES[key], gaps)
        if c is not None and c.evidence:
            out.append(c)
    return out, gaps


def snoozed_keys(feedback: Iterable[TipFeedback], today, snooze_days: int = DEFAULT_SNOOZE_DAYS) -> set[str]:
    """Tip keys dismissed or done within ``snooze_days`` before ``today``."""
    today_ts = _ts(today)
    cutoff = today_ts - pd.Timedelta(days=snooze_days)
    return {f.tip_key for f in feedback if cutoff < _ts(f.at) <= today_ts}


def weekly_tips(
    ctx: TipContext,
    *,
    lang: str = "fi",
    feedback: Iterable[TipFeedback] = (),
    snooze_days: int = DEFAULT_SNOOZE_DAYS,
    limit: int = DEFAULT_LIMIT,
) -> TipSet:
    """This week's tips for one leader: ranked, at most ``limit``, snoozed ones left out."""
    cands, gaps = candidates(ctx)
    snoozed = snoozed_keys([f for f in feedback if f.leader_id == ctx.leader_id], ctx.today, snooze_days)
    pool = [(c, c.rule.weight * (0.5 + max(0.0, c.severity))) for c in cands if c.rule.key not in snoozed]
    chosen: list[Tip] = []
    steps: dict[int, int] = {}
    while pool and len(chosen) < limit:
        scored = [(c, p * SAME_STEP_FACTOR ** steps.get(c.rule.step, 0)) for c, p in pool]
        best, prio = max(scored, key=lambda cp: (cp[1], -list(RULES).index(cp[0].rule.key)))
        chosen.append(_to_tip(best, prio, lang))
        steps[best.rule.step] = steps.get(best.rule.step, 0) + 1
        pool = [(c, p) for c, p in pool if c is not best]
    return TipSet(tips=tuple(chosen), gaps=tuple(gaps), snoozed=tuple(sorted(snoozed)), lang=lang)
