"""What every answer tells the browser: only our own scripts and styles, no
framing, no referrer outside the site; cookies are Secure behind https;
evidence PDFs are downloaded, never shown inside the site."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support import build_world, login
from yishi.actions.uploads import file_response
from yishi.app import create_app
from yishi.settings import Settings


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/favicon.ico", "/healthz"])
async def test_every_answer_sends_the_security_headers(client: httpx.AsyncClient, path: str):
    response = await client.get(path)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_no_template_has_an_inline_script_or_handler():
    templates = Path(__file__).resolve().parents[2] / "templates"
    import re

    offending = [
        str(p)
        for p in templates.rglob("*.html")
        if re.search(r"\son[a-z]+=|<script>|<script(?![^>]*\ssrc=)[^>]*>", p.read_text())
    ]
    assert offending == []


async def test_behind_https_every_cookie_is_secure(settings: Settings):
    app = create_app(
        Settings(
            database_url=settings.database_url,
            secret_key="k",
            var_dir=settings.var_dir,
            base_url="https://yishi.example.org",
        )
    )
    async with app.lifespan():
        await build_world()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://yishi.example.org", follow_redirects=True
        ) as client:
            login_page = await client.get("/login")
            logged_in = await login(client, "sec_alpha")
            switched = await client.post(
                "/language",
                data={"language": "en", "next": "/"},
                headers={"x-csrftoken": client.cookies["yishi_csrf"]},
                follow_redirects=False,
            )
    cookies = [c for r in (login_page, logged_in, switched) for c in r.headers.get_list("set-cookie")]
    assert any(c.startswith("yishi_session=") for c in cookies) and any(c.startswith("yishi_lang=") for c in cookies)
    cookies += [c for r in login_page.history for c in r.headers.get_list("set-cookie")]
    assert cookies and all("Secure" in c for c in cookies), cookies


def test_an_evidence_pdf_is_an_attachment_and_a_photo_is_shown(tmp_path: Path):
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "a.pdf").write_bytes(b"%PDF-1.7\n%%EOF")
    (tmp_path / "actions" / "b.jpg").write_bytes(b"\xff\xd8\xff")
    pdf = file_response(tmp_path, "actions/a.pdf", "报价单.pdf")
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert "%E6%8A%A5" in pdf.headers["Content-Disposition"]
    photo = file_response(tmp_path, "actions/b.jpg", "现场.jpg")
    assert photo.headers["Content-Disposition"].startswith("inline;")
