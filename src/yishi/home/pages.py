"""The action panel of a staff member's home page.

Secretaries, property managers and committee members see the open actions
they answer for, by urgency; community admins see the open escalations of
their communities. The page includes ``actions/_home.html``; the list inside
is the fragment ``actions/_my_actions.html``, which the live stream re-renders
whenever an action of their places changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yishi.accounts.permissions import Principal
from yishi.actions import service
from yishi.roster.tables import Community
from yishi.supervision import service as supervision


@dataclass
class ActionPanel:
    groups: service.UrgencyGroups | None = None
    communities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.groups is not None or bool(self.communities)


async def action_panel(principal: Principal) -> ActionPanel:
    panel = ActionPanel()
    if service.shows_action_list(principal):
        panel.groups = await service.my_open_actions(principal)
    if principal.community_ids:
        communities = (
            await Community.select().where(Community.id.is_in(list(principal.community_ids))).order_by(Community.name)
        )
        for community in communities:
            community["open_escalations"] = await supervision.open_escalation_count([community["id"]])
        panel.communities = communities
    return panel


async def home_context(principal: Principal) -> dict[str, Any]:
    """What ``templates/home.html`` needs for its action panel."""
    return {"action_panel": await action_panel(principal)}
