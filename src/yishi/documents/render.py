"""HTML → PDF: the app's Jinja templates, rendered in a language, then WeasyPrint.

Documents may load local static files (``static/``) and ``data:`` URIs only;
every other URL — above all remote ones — is refused by :class:`LocalFetcher`,
so rendering never touches the network. QR codes are inline SVG.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jinja2 import Environment
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from yishi import i18n
from yishi.documents import labels
from yishi.documents.qr import qr_svg
from yishi.settings import PROJECT_ROOT, Settings
from yishi.web import links
from yishi.web.templating import TEMPLATES_DIR, build_environment

log = logging.getLogger("yishi.documents")

STATIC_DIR = (PROJECT_ROOT / "static").resolve()
PDF_TEMPLATES = TEMPLATES_DIR / "pdf"
# Relative URLs in a document resolve against the project root, so
# "/static/css/x.css" and "static/css/x.css" both name a file in static/.
BASE_URL = PROJECT_ROOT.resolve().as_uri() + "/"


class RefusedURL(ValueError):
    """A document asked for a URL that is not a local static file or a data: URI."""


class LocalFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to ``data:`` URIs and files in ``static/``.

    ``refused`` keeps every URL turned away (WeasyPrint logs them and leaves
    the resource out; the document still renders).
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allow_redirects=False, allowed_protocols=("data", "file"))
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._static_path(url)
            if path is not None:
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})
        self.refused.append(url)
        raise RefusedURL(f"documents may not fetch {url}: only static files and data: URIs")

    @staticmethod
    def _static_path(url: str) -> Path | None:
        raw = unquote(urlsplit(url).path)
        for root in (str(PROJECT_ROOT.resolve()), ""):
            if raw.startswith(root + "/static/"):
                candidate = (STATIC_DIR / raw[len(root) + len("/static/") :]).resolve()
                if candidate.is_relative_to(STATIC_DIR) and candidate.is_file():
                    return candidate
        return None


def css_string(value: object) -> Markup:
    """``value`` as a quoted CSS string, safe inside ``<style>`` (no ``</style>``)."""
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


def page_counter_css(template: str) -> Markup:
    """ "第 {page} 页 / 共 {pages} 页" → a CSS ``content`` value with page counters."""
    parts: list[str] = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))


@cache
def environment(settings: Settings) -> Environment:
    """The app's Jinja environment (gettext, filters), plus the print filters."""
    env = build_environment(settings)
    env.filters["css_string"] = css_string
    env.globals.update(labels.TEMPLATE_GLOBALS)
    env.globals["qr_svg"] = qr_svg
    env.globals["url_for"] = links.path
    return env


@cache
def renderer_fingerprint() -> str:
    """Hash of everything besides the data that shapes a PDF: the print
    templates and the translations they use. A change makes new versions."""
    digest = hashlib.sha256()
    sources = sorted(PDF_TEMPLATES.rglob("*"))
    sources += sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/documents.po"))
    sources += sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/pdf.po"))
    for path in sources:
        if path.is_file():
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def render_html(settings: Settings, template: str, context: dict[str, Any], language: str) -> str:
    """The document's HTML, with every message in ``language``."""
    with i18n.language(language):
        return environment(settings).get_template(template).render(**context)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    refused_urls: tuple[str, ...] = ()


def html_to_pdf(html: str) -> RenderedPdf:
    """Lay out ``html`` and write the PDF (CPU-bound: call it in a thread)."""
    fetcher = LocalFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    data = document.write_pdf()
    if fetcher.refused:
        log.warning("document refused to fetch: %s", ", ".join(fetcher.refused))
    return RenderedPdf(data=data, pages=len(document.pages), refused_urls=tuple(fetcher.refused))
