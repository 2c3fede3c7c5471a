"""Who may see what: the authorisation policy, as pure functions.

The dashboard's data layer (``dashboard/data.py``) asks these functions before it
reads anything for a viewer; a page never decides on its own. Three levels:

* **detail** – a leader's own posts, conversations and scores (``detail_leader_ids``):
  admin every leader; consultant the leaders assigned to them directly or through an
  assigned cohort; executive only their own leader.
* **cohort members** – per-member rows (leaderboard) of a cohort: admins; consultants for
  their cohorts; executives in a cohort whose visibility is ``all``.
* **cohort aggregates** – only cohort-level figures: also executives in a cohort whose
  visibility is ``aggregates``, and consultants with an assigned leader in the cohort.
  A cohort with visibility ``consultant`` is invisible to executives.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from lasna.errors import AccessDenied
from lasna.types import Visibility
from lasna.users import Role, User


@dataclass(frozen=True)
class Viewer:
    """The person looking at the dashboard (hashable: it is part of cache keys)."""

    name: str
    role: Role
    leader_id: int | None = None
    leader_ids: frozenset[int] = frozenset()
    cohort_ids: frozenset[int] = frozenset()
    #: True only for the unauthenticated localhost demo (an admin view of the demo store)
    demo: bool = False

    @classmethod
    def from_user(cls, user: User) -> Viewer:
        return cls(user.name, user.role, user.leader_id, user.leader_ids, user.cohort_ids)

    @classmethod
    def local_demo(cls) -> Viewer:
        return cls("demo", Role.ADMIN, demo=True)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def manages_leaders(self) -> bool:
        """May add and remove leaders and accounts (admins and consultants)."""
        return self.role in (Role.ADMIN, Role.CONSULTANT)


class CohortAccess(str, enum.Enum):
    NONE = "none"
    AGGREGATES = "aggregates"
    MEMBERS = "members"


PAGES_BY_ROLE: dict[Role, tuple[str, ...]] = {
    Role.ADMIN: ("presence", "sparring", "cohorts", "health", "audit"),
    Role.CONSULTANT: ("presence", "sparring", "cohorts", "health"),
    Role.EXECUTIVE: ("presence", "cohorts"),
}


def allowed_pages(viewer: Viewer) -> tuple[str, ...]:
    return PAGES_BY_ROLE[viewer.role]


def require_page(viewer: Viewer, page: str) -> None:
    if page not in allowed_pages(viewer):
        raise AccessDenied(f"{viewer.role} users cannot open the {page} page")


def _members(leaders: pd.DataFrame, cohort: str) -> set[int]:
    return {int(i) for i, cs in zip(leaders["leader_id"], leaders["cohorts"]) if cohort in cs}


def detail_leader_ids(viewer: Viewer, leaders: pd.DataFrame, cohorts: pd.DataFrame) -> frozenset[int]:
    """Leaders whose own data ``viewer`` may see. ``leaders``: leader_id, cohorts (names);
    ``cohorts``: cohort, cohort_id, visibility."""
    every: set[int] = {int(i) for i in leaders["leader_id"]}
    if viewer.role is Role.ADMIN:
        return frozenset(every)
    if viewer.role is Role.EXECUTIVE:
        return frozenset(every & ({viewer.leader_id} if viewer.leader_id is not None else set()))
    allowed = set(viewer.leader_ids)
    for name, cohort_id in zip(cohorts["cohort"], cohorts["cohort_id"]):
        if int(cohort_id) in viewer.cohort_ids:
            allowed |= _members(leaders, name)
    return frozenset(allowed & every)


def require_leaders(
    viewer: Viewer, leader_ids: Iterable[int], leaders: pd.DataFrame, cohorts: pd.DataFrame
) -> tuple[int, ...]:
    """``leader_ids`` sorted, or AccessDenied if any of them is not the viewer's to see."""
    wanted = {int(i) for i in leader_ids}
    denied = wanted - detail_leader_ids(viewer, leaders, cohorts)
    if denied:
        raise AccessDenied(f"{viewer.name} may not see leader(s) {sorted(denied)}")
    return tuple(sorted(wanted))


def cohort_access(viewer: Viewer, cohort: str, leaders: pd.DataFrame, cohorts: pd.DataFrame) -> CohortAccess:
    row = cohorts[cohorts["cohort"] == cohort]
    if row.empty:
        return CohortAccess.NONE
    cohort_id, visibility = int(row["cohort_id"].iloc[0]), Visibility(row["visibility"].iloc[0])
    members = _members(leaders, cohort)
    if viewer.role is Role.ADMIN:
        return CohortAccess.MEMBERS
    if viewer.role is Role.CONSULTANT:
        if cohort_id in viewer.cohort_ids:
            return CohortAccess.MEMBERS
        return CohortAccess.AGGREGATES if members & viewer.leader_ids else CohortAccess.NONE
    if viewer.leader_id not in members or visibility is Visibility.CONSULTANT:
        return CohortAccess.NONE
    return CohortAccess.MEMBERS if visibility is Visibility.ALL else CohortAccess.AGGREGATES


def visible_cohorts(viewer: Viewer, leaders: pd.DataFrame, cohorts: pd.DataFrame) -> dict[str, CohortAccess]:
    out = {name: cohort_access(viewer, name, leaders, cohorts) for name in cohorts["cohort"]}
    return {name: access for name, access in out.items() if access is not CohortAccess.NONE}


def require_cohorts_manageable(viewer: Viewer, cohort_names: Iterable[str], cohorts: pd.DataFrame) -> None:
    """A consultant may put leaders only into cohorts assigned to them (``user_cohorts``); an admin
    anywhere. Unknown and foreign cohorts are refused alike, and the refusal names neither (it must
    not confirm that a cohort exists)."""
    names = [c for c in cohort_names if c]
    if not names or viewer.role is Role.ADMIN:
        return
    if viewer.role is not Role.CONSULTANT:
        raise AccessDenied("only admins and consultants may add leaders")
    mine = {str(n) for n, i in zip(cohorts["cohort"], cohorts["cohort_id"]) if int(i) in viewer.cohort_ids}
    if any(c not in mine for c in names):
        raise AccessDenied("consultants can add leaders only to the cohorts assigned to them")


#: the floor of ``cohort_min_others`` (settings): aggregates need at least this many members
#: besides those the viewer already sees in detail
MIN_OTHERS = 5


def aggregate_members(viewer: Viewer, cohort: str, leaders: pd.DataFrame, cohorts: pd.DataFrame,
                      k: int = MIN_OTHERS) -> tuple[frozenset[int], bool]:
    """The members whose figures may go into the aggregates ``viewer`` sees of ``cohort``, and
    whether the aggregates must be withheld.

    With member access every member counts (the viewer sees them side by side anyway). With
    aggregate access the leaders the viewer sees in detail (an executive's own leader, a
    consultant's assigned leaders) are left out, so nobody can subtract themselves out of a
    figure, and fewer than ``k`` (≥ 5) remaining members withholds every aggregate: no median,
    band or mean of two, and no band edge that is one identifiable member's number."""
    k = max(int(k), MIN_OTHERS)
    level = cohort_access(viewer, cohort, leaders, cohorts)
    members = frozenset(_members(leaders, cohort))
    if level is CohortAccess.MEMBERS:
        return members, False
    if level is CohortAccess.NONE:
        return frozenset(), True
    others = members - detail_leader_ids(viewer, leaders, cohorts)
    return (others, False) if len(others) >= k else (frozenset(), True)


def require_cohort(
    viewer: Viewer, cohort: str, leaders: pd.DataFrame, cohorts: pd.DataFrame, *, members: bool = False
) -> CohortAccess:
    access = cohort_access(viewer, cohort, leaders, cohorts)
    if access is CohortAccess.NONE or (members and access is not CohortAccess.MEMBERS):
        raise AccessDenied(f"{viewer.name} may not see {'the members of ' if members else ''}cohort {cohort!r}")
    return access
