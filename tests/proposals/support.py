"""What people do in the proposal tests: identify as a household, propose, second."""

from __future__ import annotations

import io
import re
from typing import Any

from httpx import AsyncClient, Response
from PIL import Image

from tests.support import post, text_of

PROPOSAL = {
    "title": "3号楼旁建电动车充电棚",
    "problem": "电动车在楼道里充电，晚上插线板拖到一楼大厅，存在火灾隐患。",
    "suggestion": "在3号楼东侧空地建一个带智能充电桩的车棚，按次扫码付费。",
    "category": "parking",
}


def phone_of(key: str) -> str:
    """The roster phone of a household of ``tests.support.build_world``: "alpha:1-1-102" → 13900001100."""
    building, unit = key.split(":")[1].split("-", 1)
    index = ("1-101", "1-102", "1-201").index(unit)
    return f"1390000{building}{index}00"


async def identify(client: AsyncClient, key: str) -> Response:
    """Unit + phone, as a resident does on /c/CODE/me; the session then speaks for the household."""
    compound = key.split(":")[0]
    building, unit = key.split(":")[1].split("-", 1)
    response = await post(
        client,
        f"/c/{compound}/me",
        {"building": building, "unit": unit, "phone": phone_of(key), "next": f"/c/{compound}"},
    )
    assert response.status_code == 200, response.text
    return response


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 140, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


async def propose(
    client: AsyncClient, compound: str = "alpha", files: list[tuple[str, Any]] | None = None, **values: str
) -> Response:
    return await post(client, f"/c/{compound}/proposals", {**PROPOSAL, **values}, files=files)


def number_in(response: Response) -> int:
    """The proposal number of the page a form redirected to."""
    match = re.search(r"/proposals/(\d+)$", str(response.url))
    assert match, response.url
    return int(match.group(1))


def current_stage(page: str) -> str:
    """The text of the step marked current in the five-step indicator, e.g. "2 民主议事"."""
    match = re.search(r'<li class="stage-step stage-current"[^>]*>(.*?)</li>', page, re.S)
    assert match, "no current step"
    return text_of(match.group(1))
