"""Translations: English message ids, Chinese (zh_CN) first.

Each package keeps its own catalog (``locale/<lang>/LC_MESSAGES/<package>.po``)
so packages can grow their strings independently; at start-up every catalog of
a language is merged into one. ``python -m yishi.i18n`` compiles the ``.po``
files to ``.mo`` (the set-up does it); a missing or stale ``.mo`` is compiled
in memory so a fresh checkout still speaks Chinese.
"""

from __future__ import annotations

import contextvars
import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from yishi.settings import LANGUAGES

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "zh_CN"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("yishi_language", default=DEFAULT_LANGUAGE)


def _compiled(po_path: Path) -> bytes:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=po_path.parts[-3])
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


@cache
def translations(language: str) -> NullTranslations:
    merged: NullTranslations = NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            data = mo_path.read_bytes()
        else:
            data = _compiled(po_path)
        catalog = Translations(io.BytesIO(data), domain=po_path.stem)
        if isinstance(merged, Translations):
            merged.merge(catalog)
        else:
            merged = catalog
    return merged


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def language(code: str) -> Iterator[None]:
    token = _current.set(code if code in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = translations(_current.get()).gettext(message)
    return text % variables if variables else text


def use_language(language: str) -> None:
    """Read the rest of this request in ``language`` (for answers given before
    the language middleware ran, such as a 404 from routing)."""
    _current.set(language if language in LANGUAGES else _current.get())


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def compile_catalogs() -> list[Path]:
    written = []
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        mo_path.write_bytes(_compiled(po_path))
        written.append(mo_path)
    return written


def _domain_for(path: str) -> str:
    """The catalog a message belongs to: the package (or template folder) it is in."""
    parts = Path(path).parts
    if parts[:2] == ("src", "yishi") and len(parts) > 3:
        return parts[2]
    if parts[:1] == ("templates",) and len(parts) > 2 and parts[1] not in {"components", "errors"}:
        return parts[1]
    return "core"


MessageId = str | tuple[str, str]


def extract_messages(root: Path) -> dict[str, dict[MessageId, list[str]]]:
    """Every message id used in src/ and templates/, by catalog, with its places.
    A message with plural forms (``ngettext``) is the pair (singular, plural)."""
    from babel.messages.extract import extract_from_dir

    method_map = [("src/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found: dict[str, dict[MessageId, list[str]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root),
        method_map=method_map,
        options_map=options,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    ):
        msgid: MessageId
        if isinstance(message, tuple):
            msgid = (message[0], message[1]) if len(message) > 1 and message[1] else message[0]
        else:
            msgid = message
        if msgid:
            found.setdefault(_domain_for(filename), {}).setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def _translated(entry: Any) -> bool:
    if entry is None:
        return False
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return all(strings)


def update_catalogs(root: Path) -> dict[str, int]:
    """Add new message ids to each language's catalogs, keeping translations.

    English catalogs translate each id to itself; Chinese ones start empty and
    a test fails until every message has its Chinese text.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    found = extract_messages(root)
    added: dict[str, int] = {}
    for language in LANGUAGES:
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        olds = {}
        for po_path in sorted(folder.glob("*.po")):
            with po_path.open("rb") as handle:
                olds[po_path.stem] = read_po(handle, locale=language)
        for domain, messages in found.items():
            po_path = folder / f"{domain}.po"
            old = olds.get(domain, Catalog(locale=language, domain=domain))
            new = Catalog(locale=language, domain=domain, project="Yishi", fuzzy=False)
            for msgid, places in sorted(messages.items(), key=lambda m: m[0] if isinstance(m[0], str) else m[0][0]):
                singular = msgid if isinstance(msgid, str) else msgid[0]
                previous = old.get(singular)
                if not _translated(previous):
                    previous = next((c.get(singular) for c in olds.values() if _translated(c.get(singular))), previous)
                text = _text_for(msgid, previous, language, new.num_plurals)
                if not _translated(new.add(msgid, text)):
                    added[f"{language}/{domain}"] = added.get(f"{language}/{domain}", 0) + 1
                new[singular].locations = [(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places]
            buffer = io.BytesIO()
            write_po(buffer, new, width=100, sort_output=True, include_lineno=False)
            if not po_path.exists() or _undated(po_path.read_bytes()) != _undated(buffer.getvalue()):
                po_path.write_bytes(buffer.getvalue())
    return added


def _text_for(msgid: MessageId, previous: Any, language: str, forms: int) -> Any:
    """A message's text in a new catalog: its translation kept, English as itself,
    else empty (a plural message gets one text per plural form)."""
    plural = isinstance(msgid, tuple)
    if _translated(previous) and isinstance(previous.string, tuple) == plural:
        return previous.string
    if not plural:
        return msgid if language == "en" else ""
    if language == "en":
        return tuple(msgid[min(i, 1)] for i in range(forms))
    if previous is not None and previous.string and not isinstance(previous.string, tuple):
        return (previous.string,) * forms  # the same text, now with its plural forms
    return ("",) * forms


def _undated(po: bytes) -> bytes:
    """A catalog without its creation date, so an unchanged one is not rewritten."""
    return re.sub(rb'"POT-Creation-Date: [^"]*"', b"", po)


if __name__ == "__main__":
    if sys.argv[1:] == ["update"]:
        for name, count in sorted(update_catalogs(Path.cwd()).items()):
            print(f"{name}: {count} messages need a translation", file=sys.stderr)
    paths = compile_catalogs()
    print(f"compiled {len(paths)} catalogs", file=sys.stderr)


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet."""
    return message
