"""Jinja2 set-up: gettext, number and time formats, the static asset URLs."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.template.config import TemplateConfig

from yishi import clock, i18n, labels
from yishi.areas import format_area
from yishi.settings import PROJECT_ROOT, Settings

TEMPLATES_DIR = PROJECT_ROOT / "templates"


def area_filter(hundredths: int | None) -> str:
    return "" if hundredths is None else format_area(hundredths)


local_time = clock.local_text


def build_environment(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined if settings.debug else Environment().undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: i18n.translations(i18n.current_language()).gettext(message),
        ngettext=lambda s, p, n: i18n.translations(i18n.current_language()).ngettext(s, p, n),
        newstyle=True,
    )
    env.filters["area"] = area_filter
    env.filters["local_time"] = local_time
    env.globals["current_language"] = i18n.current_language
    env.globals["label"] = labels.label
    env.globals["base_url"] = settings.base_url
    return env


def template_config(settings: Settings) -> TemplateConfig[Engine]:
    environment = build_environment(settings)
    return TemplateConfig(instance=Engine.from_environment(environment))
