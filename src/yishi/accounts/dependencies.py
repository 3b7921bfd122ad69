"""Who is asking: the signed-in staff member, resolved once per request."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from yishi.accounts.permissions import Capability, Principal
from yishi.accounts.service import load_principal
from yishi.errors import Forbidden, NotFound
from yishi.i18n import gettext as _


async def optional_principal(request: Request[Any, Any, Any]) -> Principal | None:
    if "principal" in request.state:
        return request.state.principal
    user_id = request.session.get("user_id") if request.scope.get("session") else None
    principal = await load_principal(int(user_id)) if user_id else None
    request.state.principal = principal
    return principal


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise NotAuthorizedException("login required")
    return principal


def require(principal: Principal, capability: Capability, compound_id: int) -> None:
    """Refuse unless ``principal`` may do ``capability`` in the compound.

    Outside the person's places the answer is "not found", so nobody learns
    what exists in a compound they have no part in; inside, a role that may not
    do the thing gets a plain refusal.
    """
    if not principal.sees_compound(compound_id):
        raise NotFound()
    if not principal.can(capability, compound_id):
        raise Forbidden(_("Your role does not allow this here."))
