"""What the ballot pages share: the console's context (also re-rendered live),
its history lines, and the console's address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from yishi import labels
from yishi.accounts.dependencies import require
from yishi.accounts.permissions import Capability, Principal
from yishi.errors import DomainError, Forbidden, FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.roster import service as roster
from yishi.voting import pages, service
from yishi.web import links

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


T = TypeVar("T")


def console_url(code: str, ballot_id: int) -> str:
    return links.path("ballots.console", code=code, ballot_id=ballot_id)


def entered(receipt: service.Receipt) -> str:
    if receipt.secret:
        return _(
            "Entered for %(label)s. Receipt code %(code)s — write the whole code on the ballot paper: "
            "it is shown only this once, and only it can void this vote.",
            label=receipt.label,
            code=receipt.receipt_code,
        )
    return _(
        "Entered for %(label)s: %(choice)s. Receipt code %(code)s — write it on the ballot paper.",
        label=receipt.label,
        choice=labels.label("choice", receipt.choice),
        code=receipt.receipt_code,
    )


async def console_page(
    principal: Principal,
    compound: dict[str, Any],
    ballot_id: int,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    city_errors: list[Any] | None = None,
    notice: str = "",
) -> Template:
    """The console, with the form that was sent (``form``: its name) and what it said."""
    return Template(
        template_name="voting/console.html",
        status_code=status,
        context={
            **await pages.console(principal, compound, ballot_id),
            "form": form,
            "values": values or {},
            "errors": errors or {},
            "city_errors": city_errors or [],
            "notice": notice,
        },
    )


async def act(
    request: Request[Any, Any, Any],
    principal: Principal,
    compound: dict[str, Any],
    ballot_id: int,
    form: str,
    values: dict[str, str],
    work: Awaitable[T],
    success: Any,
    answer: Callable[[T], Awaitable[Template]] | None = None,
) -> Template | Redirect:
    """Run one use case for a console form: PRG on success (or ``answer``'s
    page, for a step that changes nothing), the console with the message next
    to the form otherwise."""
    try:
        result = await work
    except FormErrors as error:
        return await console_page(
            principal, compound, ballot_id, form=form, values=values, errors=error.errors, status=400
        )
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        return await console_page(
            principal,
            compound,
            ballot_id,
            form=form,
            values=values,
            errors={"__all__": error.message},
            status=error.status_code,
        )
    if answer is not None:
        return await answer(result)
    message = success(result) if callable(success) else success
    if isinstance(result, service.Receipt) and result.secret:
        # A secret vote's receipt is shown once, in this answer: it never goes
        # into the session, where it would sit next to the unit.
        return await console_page(principal, compound, ballot_id, notice=message)
    flash(request, message, category="success")
    return Redirect(path=console_url(compound["code"], ballot_id))


async def scrutiny(
    code: str, principal: Principal, ballot_id: int, capability: Capability = Capability.BALLOT_SCRUTINY
) -> dict[str, Any]:
    compound = await roster.compound_by_code(code)
    require(principal, capability, compound["id"])
    await service.ballot_in_compound(compound["id"], ballot_id)
    return compound
