"""The code's layout holds: a package split into modules exports each name
once, and no module of it is shadowed by a name the package exports."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import yishi
from yishi.settings import PROJECT_ROOT

PACKAGES = sorted(
    info.name
    for info in pkgutil.walk_packages(yishi.__path__, "yishi.")
    if info.ispkg and hasattr(importlib.import_module(info.name), "__all__")
)


def test_the_split_packages_are_found():
    assert {"yishi.meetings.service", "yishi.voting.service", "yishi.meetings.views"} <= set(PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_no_exported_name_shadows_a_module_of_its_package(name):
    package = importlib.import_module(name)
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    for module in modules:
        importlib.import_module(f"{name}.{module}")
    shadowed = sorted(modules & set(package.__all__))
    assert not shadowed, f"{name} exports names that are also its modules: {shadowed}"
    for exported in package.__all__:
        assert not isinstance(getattr(package, exported), type(pkgutil)), f"{name}.{exported} is a module"


ADDRESS = re.compile(
    r"""(?:href|action|src|hx-get|hx-post|sse-connect|formaction)=["'](/[^"']*)["']|["']/(?:c|compounds|meetings|communities|verify|account|h|p)/"""
)
ASSETS = ("/static/", "/favicon.ico", "/apple-touch-icon.png")


def test_templates_link_by_route_name():
    written_out = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in ADDRESS.finditer(line):
                if not (match.group(1) or "").startswith(ASSETS):
                    written_out.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {match.group(0)}")
    assert not written_out, "addresses written out instead of url_for(route name):\n" + "\n".join(written_out)


def test_no_module_is_over_five_hundred_lines():
    long = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for path in (PROJECT_ROOT / "src" / "yishi").rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long, f"split these by use case: {long}"
