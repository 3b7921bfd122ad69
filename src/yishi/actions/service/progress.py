"""Progress updates with evidence, and the moves they make (start, done, reopen)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from yishi import clock
from yishi.accounts.permissions import Principal
from yishi.actions import evidence, flow, timeline
from yishi.actions.flow import Move, Status
from yishi.actions.service.common import MAX_FILES, MAX_TEXT, check_may_update, notify_changed
from yishi.actions.service.reading import action_by_id
from yishi.actions.tables import Action, ActionUpdate, Evidence, StatusChange
from yishi.audit import service as audit
from yishi.db import write_transaction
from yishi.errors import FormErrors, NotFound
from yishi.i18n import gettext as _
from yishi.photos import Upload, off_loop


async def check_uploads(uploads: list[Upload]) -> list[evidence.PreparedFile]:
    """Every file checked by content; the first refusal says which and why."""
    uploads = [u for u in uploads if u.filename or u.content]
    if len(uploads) > MAX_FILES:
        raise FormErrors({"files": _("At most %(n)d files at a time.", n=MAX_FILES)})
    prepared = []
    for upload in uploads:
        try:
            prepared.append(await off_loop(evidence.prepare, upload.content, upload.filename))
        except evidence.EvidenceRefused as error:
            raise FormErrors({"files": error.message}) from None
    return prepared


async def _checked_update(text: str, move: str, uploads: list[Upload]) -> tuple[str, list[evidence.PreparedFile]]:
    """The update's text (stripped) and its files, prepared; every error at once."""
    errors: dict[str, str] = {}
    text = text.strip()
    if not text:
        errors["text"] = _("Write what was done, even briefly.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("At most %(n)d characters.", n=MAX_TEXT)
    if move and move not in flow.STAFF_MOVES:
        errors["move"] = _("Choose how the action stands now.")
    prepared: list[evidence.PreparedFile] = []
    try:
        prepared = await check_uploads(uploads)
    except FormErrors as error:
        errors.update(error.errors)
    if errors:
        raise FormErrors(errors)
    return text, prepared


async def _record_evidence(update_id: int, stored: list[evidence.StoredFile]) -> None:
    if stored:
        await Evidence.insert(
            *[
                Evidence(
                    update=update_id, kind=s.kind, path=s.path, width=s.width, height=s.height, size=s.size, name=s.name
                )
                for s in stored
            ]
        )


async def post_update(
    principal: Principal,
    action_id: int,
    text: str,
    uploads: list[Upload],
    move: str,
    uploads_dir: Path,
    *,
    now: datetime | None = None,
    when_done: Callable[[int, Principal, datetime], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """A dated progress update with evidence, and optionally a move (start or done).

    ``when_done`` runs inside the transaction when the update marks the action
    done (supervision passes the closing of the action's escalations)."""
    now = now or clock.now()
    action = await action_by_id(action_id)
    if action is None:
        raise NotFound()
    await check_may_update(principal, action)
    text, prepared = await _checked_update(text, move, uploads)
    stored = [evidence.store(p, uploads_dir, f"actions/{action['compound']}") for p in prepared]
    try:
        async with write_transaction():
            current = await Action.select(Action.status, Action.round).where(Action.id == action_id).first()
            target = None
            if move:
                try:
                    target = flow.next_status(current["status"], move)
                except flow.MoveRefused as error:
                    raise FormErrors({"move": error.message}) from None
            rows = await ActionUpdate.insert(
                ActionUpdate(
                    action=action_id,
                    text=text,
                    author=principal.user_id,
                    author_label=principal.display_name,
                    at=now,
                )
            ).returning(ActionUpdate.id)
            update_id = rows[0]["id"]
            await _record_evidence(update_id, stored)
            changes: dict[Any, Any] = {Action.changed_at: now}
            if target is not None:
                changes[Action.status] = target.value
                if target is Status.DONE:
                    changes[Action.round] = current["round"] + 1
                    changes[Action.done_at] = now
                await StatusChange.insert(
                    StatusChange(
                        action=action_id,
                        from_status=current["status"],
                        to_status=target.value,
                        note=text,
                        author=principal.user_id,
                        author_label=principal.display_name,
                        at=now,
                    )
                )
                await audit.record(
                    "action",
                    action_id,
                    f"moved to {target.value}",
                    actor=principal.user_id,
                    compound=action["compound"],
                )
            await Action.update(changes).where(Action.id == action_id)
            if target is Status.DONE and when_done is not None:
                await when_done(action_id, principal, now)
            await timeline.action_progress(
                action["agenda_item"],
                action["number"],
                action["title"],
                text,
                done=target is Status.DONE,
                actor_label=principal.display_name,
            )
    except BaseException:
        evidence.remove(uploads_dir, stored)
        raise
    await notify_changed(action["compound"])
    return {"update_id": update_id, "status": target.value if target else current["status"]}


async def reopen(action_id: int, cause: str, note: str, *, author: Principal | None, now: datetime) -> None:
    """Send a done action back (called by supervision inside its transaction)."""
    current = await Action.select(Action.status).where(Action.id == action_id).first()
    if current is None:
        raise NotFound()
    target = flow.next_status(current["status"], Move.REOPEN)
    await Action.update({Action.status: target.value, Action.changed_at: now}).where(Action.id == action_id)
    await StatusChange.insert(
        StatusChange(
            action=action_id,
            from_status=current["status"],
            to_status=target.value,
            cause=cause,
            note=note,
            author=author.user_id if author else None,
            author_label=author.display_name if author else "",
            at=now,
        )
    )
    await audit.record("action", action_id, "reopened", actor=author.user_id if author else None, cause=cause)
