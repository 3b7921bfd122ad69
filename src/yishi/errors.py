"""Domain errors: each carries a message a person can read."""

from __future__ import annotations

from yishi.i18n import N_
from yishi.i18n import gettext as _

NOT_FOUND = N_("This page does not exist or is not in your places.")


class DomainError(Exception):
    """Something a person asked for cannot be done; ``message`` says why.

    ``field`` names the form field the message belongs next to, when there is one.
    """

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Missing, or outside the person's places (which must look the same);
    without a message, it says so in the words every page uses."""

    status_code = 404

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message or _(NOT_FOUND), field=field)


class Forbidden(DomainError):
    """Inside the person's places, but not something their role may do."""

    status_code = 403


class Conflict(DomainError):
    status_code = 409


class FormErrors(DomainError):
    """Several fields are wrong at once: ``errors`` maps field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
