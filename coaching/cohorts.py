"""Cohorts: aggregate trends, percentile bands per week and the interaction network — under a visibility mode.

Pure. Visibility is data: :func:`cohort_view` takes the cohort's mode and the viewer's role and returns
only what that combination allows.

=================  ===================================  ==========================================
mode               member (a leader in the cohort)      consultant / admin
=================  ===================================  ==========================================
``all``            bands, trend, per-leader table,       everything
                   named network
``aggregates``     bands and trend only; network with    everything
                   other leaders and people anonymised
``consultant``     nothing (``allowed=False``)           everything
=================  ===================================  ==========================================

Bands are withheld (NaN) for a week with fewer than ``MIN_LEADERS_FOR_BANDS`` (3) leaders with a value. A
member who sees only aggregates gets them over the *other* members and only when there are at least
``MIN_OTHERS`` (5, configurable upwards) of them (k-anonymity): no median of two, no band edge that is a
known member's figure, nothing to subtract oneself out of.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from coaching.score_adapter import COMPOSITES, ScoreReport, metric_name
from lasna.types import Visibility

MIN_LEADERS_FOR_BANDS = 3
#: k-anonymity floor for members who see only aggregates: at least this many others
MIN_OTHERS = 5
BAND_METRICS = ("response_rate", "dialogue_share", "questions", "reciprocity", "active_weeks")
ROLES = ("member", "consultant", "admin")


def percentile_bands(components: pd.DataFrame, leader_ids, metrics=BAND_METRICS,
                     min_leaders: int = MIN_LEADERS_FOR_BANDS) -> pd.DataFrame:
    """p25/p50/p75 of ``value`` per week and metric among ``leader_ids``.

    ``components`` is the long frame of a weekly score report (leader_id, bucket, component, value, ...).
    Columns: week (UTC timestamp), metric, p25, p50, p75, leaders.
    """
    c = components[components["leader_id"].isin(list(leader_ids)) & components["component"].isin(list(metrics))]
    c = c[c["value"].notna() & np.isfinite(c["value"].astype(float))]
    if c.empty:
        return pd.DataFrame(columns=["week", "metric", "p25", "p50", "p75", "leaders"])
    g = c.groupby(["bucket", "component"])["value"]
    out = pd.DataFrame({
        "p25": g.quantile(0.25), "p50": g.quantile(0.5), "p75": g.quantile(0.75), "leaders": g.size(),
    }).reset_index()
    small = out["leaders"] < min_leaders
    out.loc[small, ["p25", "p50", "p75"]] = np.nan
    out["week"] = pd.to_datetime(out["bucket"], utc=True)
    out = out.rename(columns={"component": "metric"})
    return out[["week", "metric", "p25", "p50", "p75", "leaders"]].sort_values(["metric", "week"]).reset_index(drop=True)


def cohort_trend(composites: pd.DataFrame, leader_ids, min_leaders: int = MIN_LEADERS_FOR_BANDS) -> pd.DataFrame:
    """Mean and median of each composite per week among ``leader_ids`` (columns week, composite, mean, median,
    leaders); withheld for weeks with fewer than ``min_leaders`` values."""
    c = composites[composites["leader_id"].isin(list(leader_ids))]
    rows = []
    for comp in COMPOSITES:
        if comp not in c:
            continue
        g = c.groupby("bucket")[comp]
        part = pd.DataFrame({"mean": g.mean(), "median": g.median(), "leaders": g.count()}).reset_index()
        part["composite"] = comp
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=["week", "composite", "mean", "median", "leaders"])
    out = pd.concat(rows, ignore_index=True)
    out.loc[out["leaders"] < min_leaders, ["mean", "median"]] = np.nan
    out["week"] = pd.to_datetime(out["bucket"], utc=True)
    return out[["week", "composite", "mean", "median", "leaders"]].reset_index(drop=True)


def data_start(first_post: pd.Series, first_collected: pd.Series | None = None) -> pd.Series:
    """When each member's data begins (UTC timestamps by member): the earlier of their first collected
    post and the first successful collection of one of their accounts. Before it, a week is "no data" for
    that member, not a silent week; a member with neither (waiting for the first collection) has no data
    at all (absent from the result)."""
    parts = [pd.to_datetime(s, utc=True) for s in (first_post, first_collected) if s is not None and len(s)]
    if not parts:
        return pd.Series(dtype="datetime64[ns, UTC]")
    both = pd.concat(parts, axis=1)
    return both.min(axis=1, skipna=True).dropna()


def member_weeks(weekly: pd.DataFrame, starts: pd.Series, key: str = "leader") -> pd.DataFrame:
    """The rows of a weekly frame (``key``, ``week`` and values; ``week`` = Monday 00:00) that are data:
    weeks ending after the member's data start (:func:`data_start`, indexed by ``key``). Weeks before it,
    and every week of a member without a start, are dropped — "no data", never a 0."""
    if weekly.empty:
        return weekly
    week = pd.to_datetime(weekly["week"])
    week = week.dt.tz_localize("UTC") if week.dt.tz is None else week.dt.tz_convert("UTC")
    # a dict: pandas maps through an *empty* datetime Series by casting it to float, which fails
    start = pd.to_datetime(weekly[key].map(dict(starts.items())), utc=True)
    keep = start.notna() & (week + pd.Timedelta(days=7) > start)
    return weekly[keep.to_numpy()]


def activity_bands(weekly: pd.DataFrame, starts: pd.Series | None = None) -> pd.DataFrame:
    """Per week: the 25th, 50th and 75th percentile and the mean of members' post counts (``weekly``: leader,
    week, kind, count, with 0 for a week without posts), over the members who have data that week
    (:func:`member_weeks` with ``starts``; every row counts when ``starts`` is None). A week with no member
    with data is absent: a median never falls to 0 for lack of data. Columns week, p25, p50, p75, mean,
    leaders."""
    columns = ["week", "p25", "p50", "p75", "mean", "leaders"]
    if weekly.empty:
        return pd.DataFrame(columns=columns)
    per_member = weekly.groupby(["leader", "week"], as_index=False)["count"].sum()
    if starts is not None:
        per_member = member_weeks(per_member, starts)
    if per_member.empty:
        return pd.DataFrame(columns=columns)
    g = per_member.groupby("week")["count"]
    out = pd.DataFrame({"p25": g.quantile(0.25), "p50": g.quantile(0.5), "p75": g.quantile(0.75),
                        "mean": g.mean(), "leaders": g.size()}).reset_index()
    return out[columns].sort_values("week").reset_index(drop=True)


def interaction_network(posts: pd.DataFrame, interactions: pd.DataFrame, leaders: pd.DataFrame) -> nx.Graph:
    """Undirected weighted graph: leaders (``kind="leader"``) and the people they exchange messages with
    (``kind="person"``). Edge weight = messages either way (their replies/mentions to the leader + the
    leader's replies to them). Leader–leader edges appear when one writes to the other's account."""
    G = nx.Graph()
    names = dict(zip(leaders["leader_id"].astype(int), leaders["leader"]))
    own_ids: dict[str, int] = {}
    for lid, aid in posts[["leader_id", "author_id"]].drop_duplicates().itertuples(index=False):
        if int(lid) in names:
            own_ids[str(aid)] = int(lid)
    for lid, name in names.items():
        G.add_node(f"L{lid}", kind="leader", label=name, leader_id=lid)

    def node_for(account: str, label: str | None) -> str:
        if account in own_ids:
            return f"L{own_ids[account]}"
        node = f"P:{account}"
        if node not in G:
            G.add_node(node, kind="person", label=label or account)
        return node

    def add(a: str, b: str) -> None:
        if a == b:
            return
        w = G.edges[a, b]["weight"] + 1 if G.has_edge(a, b) else 1
        G.add_edge(a, b, weight=w)

    inter = interactions[interactions["leader_id"].astype(int).isin(names)]
    labels = inter["author_name"].where(inter["author_name"].notna(), inter["author_handle"])
    for lid, aid, label in zip(inter["leader_id"].astype(int), inter["author_id"].astype(str), labels):
        add(f"L{lid}", node_for(aid, label if isinstance(label, str) else None))
    p = posts[posts["leader_id"].astype(int).isin(names) & posts["reply_parent_author_id"].notna()]
    if "is_repost" in p:
        p = p[~p["is_repost"].astype(bool)]
    p = p[p["reply_parent_author_id"].astype(str) != p["author_id"].astype(str)]
    for lid, target in zip(p["leader_id"].astype(int), p["reply_parent_author_id"].astype(str)):
        add(f"L{lid}", node_for(target, None))
    return G


def anonymise(G: nx.Graph, keep_leader_id: int | None = None) -> nx.Graph:
    """Same structure, no identities: other leaders become "Member 1…", people "·" with no id."""
    H = nx.Graph()
    mapping = {}
    m = p = 0
    for node, data in sorted(G.nodes(data=True), key=lambda nd: str(nd[0])):
        if data["kind"] == "leader" and data.get("leader_id") == keep_leader_id:
            mapping[node] = node
            H.add_node(node, **data)
        elif data["kind"] == "leader":
            m += 1
            mapping[node] = f"M{m}"
            H.add_node(f"M{m}", kind="leader", label=f"#{m}")
        else:
            p += 1
            mapping[node] = f"X{p}"
            H.add_node(f"X{p}", kind="person", label="")
    for a, b, d in G.edges(data=True):
        H.add_edge(mapping[a], mapping[b], weight=d.get("weight", 1))
    return H


def network_summary(G: nx.Graph) -> dict:
    leaders = [n for n, d in G.nodes(data=True) if d["kind"] == "leader"]
    people = [n for n, d in G.nodes(data=True) if d["kind"] == "person"]
    shared = sum(1 for n in people if sum(1 for nb in G[n] if G.nodes[nb]["kind"] == "leader") >= 2)
    return {"leaders": len(leaders), "people": len(people), "edges": G.number_of_edges(),
            "shared_people": shared, "messages": int(sum(d.get("weight", 1) for _, _, d in G.edges(data=True)))}


def network_figure(G: nx.Graph, lang: str = "fi", seed: int = 7, max_people: int = 300) -> go.Figure:
    """A Plotly figure of the network (spring layout, deterministic by ``seed``). Leaders are large
    labelled dots; people small dots; at most ``max_people`` best-connected people are drawn."""
    people = sorted((n for n, d in G.nodes(data=True) if d["kind"] == "person"),
                    key=lambda n: -G.degree(n, weight="weight"))
    keep = set(people[:max_people]) | {n for n, d in G.nodes(data=True) if d["kind"] == "leader"}
    H = G.subgraph(keep)
    pos = nx.spring_layout(H, seed=seed, weight="weight") if len(H) else {}
    ex, ey = [], []
    for a, b in H.edges():
        ex += [pos[a][0], pos[b][0], None]
        ey += [pos[a][1], pos[b][1], None]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line={"width": 0.5, "color": "#bbb"}, hoverinfo="skip",
                             showlegend=False))
    for kind, size, color, name in (("person", 6, "#8fb3d9", {"fi": "Keskustelukumppanit", "en": "People"}),
                                    ("leader", 18, "#d9534f", {"fi": "Johtajat", "en": "Leaders"})):
        nodes = [n for n in H if H.nodes[n]["kind"] == kind]
        fig.add_trace(go.Scatter(
            x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes],
            mode="markers+text" if kind == "leader" else "markers",
            text=[H.nodes[n].get("label", "") for n in nodes], textposition="top center",
            hovertext=[f"{H.nodes[n].get('label', '')} ({H.degree(n, weight='weight')})" for n in nodes],
            hoverinfo="text", marker={"size": size, "color": color}, name=name.get(lang, name["en"]),
        ))
    fig.update_layout(showlegend=True, xaxis={"visible": False}, yaxis={"visible": False},
                      margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      title={"fi": "Vuorovaikutusverkosto", "en": "Interaction network"}.get(lang, "Interaction network"))
    return fig


@dataclass
class CohortView:
    """What a viewer may see of a cohort. ``None`` fields are withheld by the visibility mode."""

    cohort: str
    visibility: Visibility
    role: str
    allowed: bool
    members: int = 0
    trend: pd.DataFrame | None = None
    bands: pd.DataFrame | None = None
    leaders: pd.DataFrame | None = None  # per-leader composites (latest week), only with names allowed
    network: nx.Graph | None = None
    network_summary: dict = field(default_factory=dict)
    named: bool = False
    #: aggregates withheld: fewer than ``min_others`` members besides the viewer (k-anonymity)
    withheld: bool = False

    def figure(self, lang: str = "fi") -> go.Figure | None:
        return network_figure(self.network, lang) if self.network is not None else None


def cohort_view(
    cohort: str,
    members: pd.DataFrame,
    visibility: Visibility | str,
    *,
    role: str = "member",
    viewer_leader_id: int | None = None,
    weekly: ScoreReport,
    posts: pd.DataFrame,
    interactions: pd.DataFrame,
    lang: str = "fi",
    min_others: int = MIN_OTHERS,
) -> CohortView:
    """Everything about ``cohort`` that ``role`` may see under ``visibility`` (see the module table).

    A member who sees only aggregates gets figures over the *other* members (their own leader is
    left out, so they cannot subtract themselves out of a median or a mean), and only when there
    are at least ``min_others`` (≥ 5) of them; otherwise trend, bands and network are withheld."""
    visibility = Visibility(str(visibility))
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    privileged = role in ("consultant", "admin")
    ids = [int(i) for i in members["leader_id"]]
    if not privileged and visibility == Visibility.CONSULTANT:
        return CohortView(cohort, visibility, role, allowed=False)
    named = privileged or visibility == Visibility.ALL
    view = CohortView(cohort, visibility, role, allowed=True, members=len(ids), named=named)
    agg_ids = ids if named else [i for i in ids if i != viewer_leader_id]
    if not named and len(agg_ids) < max(int(min_others), MIN_OTHERS):
        view.withheld = True
        return view
    view.trend = cohort_trend(weekly.composites, agg_ids)
    view.bands = percentile_bands(weekly.components, agg_ids)
    G = interaction_network(posts[posts["leader_id"].isin(ids)], interactions[interactions["leader_id"].isin(ids)],
                            members)
    view.network = G if named else anonymise(G, keep_leader_id=viewer_leader_id)
    view.network_summary = network_summary(G)
    if named:
        comp = weekly.composites[weekly.composites["leader_id"].isin(ids)]
        if len(comp):
            last = comp[comp["bucket"] == comp["bucket"].max()]
            view.leaders = last[["leader_id", "leader", *COMPOSITES]].reset_index(drop=True)
    return view


def band_figure(bands: pd.DataFrame, metric: str, lang: str = "fi", own: pd.DataFrame | None = None) -> go.Figure:
    """p25–p75 band and median line for one metric; optionally the viewer's own weekly line (week, value)."""
    b = bands[bands["metric"] == metric]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=b["week"], y=b["p75"], mode="lines", line={"width": 0}, showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=b["week"], y=b["p25"], mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor="rgba(100,149,237,0.25)", name="p25–p75"))
    fig.add_trace(go.Scatter(x=b["week"], y=b["p50"], mode="lines", name={"fi": "mediaani", "en": "median"}[lang]))
    if own is not None and len(own):
        fig.add_trace(go.Scatter(x=own["week"], y=own["value"], mode="lines+markers",
                                 name={"fi": "sinä", "en": "you"}[lang]))
    fig.update_layout(title=metric_name(metric, lang), margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


__all__ = ["CohortView", "activity_bands", "band_figure", "data_start", "member_weeks", "cohort_trend", "cohort_view", "interaction_network", "network_figure",
           "network_summary", "percentile_bands", "anonymise", "MIN_LEADERS_FOR_BANDS", "MIN_OTHERS"]
