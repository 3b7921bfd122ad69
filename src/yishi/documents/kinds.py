"""The kinds of document Yishi issues, and how another package adds one.

A kind names its Jinja template (``templates/pdf/<name>.html``, extending
``pdf/base.html``), what it is about (``subject_type``: compound, building,
meeting, agenda_item) and an async ``load(subject_id, variant)`` that reads the
data and returns a :class:`Source`. :func:`yishi.documents.service.issue`
does the rest: it renders only when the source changed, gives the PDF its
verification code and QR, stores it, and supersedes the previous version.

To add a document from another package::

    # src/yishi/<package>/documents.py
    from yishi.documents.kinds import DocumentKind, Source, register

    async def load_paper_ballot(agenda_item_id: int, variant: str) -> Source: ...

    register(DocumentKind(name="paper_ballot", label=N_("Paper ballot"),
                          template="pdf/paper_ballot.html", subject_type="agenda_item",
                          load=load_paper_ballot, filename=N_("paper-ballot")))

and list the module in :data:`KIND_MODULES` so it is imported with the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from yishi.accounts.permissions import Capability
from yishi.errors import NotFound
from yishi.i18n import gettext as _

# Modules whose import registers document kinds.
KIND_MODULES = [
    "yishi.documents.sources.registry",
    "yishi.documents.slips",
    "yishi.documents.ballots",
]


@dataclass(frozen=True)
class Source:
    """What one document is rendered from.

    ``context`` is passed to the template and hashed: it must hold plain data
    (str, numbers, dates, lists, dicts), nothing that changes between two
    loads of unchanged data (no "now") and nothing translated (codes, not
    labels: the template words them in the document's language). ``title``
    and ``summary`` are in the issuer's language; ``summary`` is shown on the
    public verify page: never put a secret in it.
    """

    compound_id: int
    compound_name: str
    title: str
    context: dict[str, Any]
    summary: str = ""


Loader = Callable[[int, str], Awaitable[Source]]


def no_variant(_query: Mapping[str, str]) -> str:
    return ""


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document.

    ``label`` and ``filename`` are message ids (``N_``). ``public``: anyone
    holding the verification code may download the PDF from the verify page
    (notices, posters, announcements). ``capabilities``: what issuing needs in
    the compound, besides nothing else. ``renew_each_time``: every issue is a
    new version even when the data did not change (voter slips, whose links
    are new each time). ``variant`` turns a request's query (for example a
    period) into a short normalized string that is part of the document's
    identity, or raises ``FormErrors``. ``available`` says, for a listing,
    whether the document can be issued for a subject row (e.g. a meeting).
    """

    name: str
    label: str
    template: str
    subject_type: str
    load: Loader
    filename: str
    public: bool = False
    capabilities: tuple[Capability, ...] = (Capability.DOCUMENT_ISSUE,)
    renew_each_time: bool = False
    variant: Callable[[Mapping[str, str]], str] = no_variant
    available: Callable[[Mapping[str, Any]], bool] = field(default=lambda _row: True)
    order: int = 100


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.name] = kind
    return kind


def _load_modules() -> None:
    for module in KIND_MODULES:
        importlib.import_module(module)


def get(name: str) -> DocumentKind:
    _load_modules()
    kind = KINDS.get(name)
    if kind is None:
        raise NotFound(_("There is no such document."))
    return kind


def find(name: str) -> DocumentKind | None:
    _load_modules()
    return KINDS.get(name)


def all_kinds() -> list[DocumentKind]:
    _load_modules()
    return sorted(KINDS.values(), key=lambda k: (k.order, k.name))


def kinds_for(subject_type: str) -> list[DocumentKind]:
    return [k for k in all_kinds() if k.subject_type == subject_type]
