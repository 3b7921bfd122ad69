"""Record and read the audit history."""

from __future__ import annotations

from typing import Any

from yishi.audit.tables import AuditEntry


async def record(
    subject: str,
    subject_id: int,
    action: str,
    *,
    actor: int | None,
    actor_label: str = "",
    compound: int | None = None,
    **detail: Any,
) -> None:
    """Append one entry; call it inside the transaction that makes the change."""
    await AuditEntry.insert(
        AuditEntry(
            compound=compound,
            subject=subject,
            subject_id=subject_id,
            action=action,
            actor=actor,
            actor_label=actor_label,
            detail=detail,
        )
    )


async def history(subject: str, subject_id: int) -> list[dict[str, Any]]:
    return (
        await AuditEntry.select(AuditEntry.all_columns(), AuditEntry.actor.display_name.as_alias("actor_name"))
        .where((AuditEntry.subject == subject) & (AuditEntry.subject_id == subject_id))
        .order_by(AuditEntry.at)
        .output(load_json=True)
    )
