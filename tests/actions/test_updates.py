"""Progress updates with evidence, and the moves planned → in progress → done."""

import io
from datetime import timedelta

import pytest
from PIL import Image

from tests.actions.support import decided_meeting, drafted_action
from tests.support import build_world, login, post, text_of
from yishi.actions.tables import Action, ActionUpdate, Evidence, StatusChange
from yishi.clock import local_today


def photo_with_location() -> bytes:
    image = Image.new("RGB", (120, 80), (40, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (34.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def setup(client, username="pm_alpha", **overrides):
    world = await build_world()
    decided = await decided_meeting(world)
    action = await drafted_action(world, decided.adopted, **overrides)
    await login(client, username)
    return world, decided, action


async def test_the_responsible_person_posts_a_photo_and_marks_the_action_done(client, settings):
    world, _decided, action = await setup(client)
    response = await post(
        client,
        "/compounds/alpha/actions/1/updates",
        {"text": "4盏LED灯已安装完毕", "move": "complete"},
        files=[("files", ("IMG_2041.jpg", photo_with_location(), "image/jpeg"))],
    )
    assert response.status_code == 200
    text = text_of(response.text)
    assert "进展已发布" in text and "4盏LED灯已安装完毕" in text and "已办结" in text
    row = await Action.select().where(Action.id == action["id"]).first()
    assert row["status"] == "done" and row["round"] == 1 and row["done_at"] is not None
    evidence = await Evidence.select().first()
    assert evidence["kind"] == "image"
    served = await client.get(f"/c/alpha/evidence/{evidence['id']}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert b"PhoneMaker" not in served.content
    with Image.open(io.BytesIO(served.content)) as image:
        assert not image.getexif()
    history = await StatusChange.select().where(StatusChange.action == action["id"]).order_by(StatusChange.id)
    assert [h["to_status"] for h in history] == ["planned", "done"]
    assert history[-1]["author"] == world.users["pm_alpha"] and history[-1]["note"] == "4盏LED灯已安装完毕"


async def test_work_starts_then_finishes_each_move_dated_and_signed(client):
    _world, _decided, action = await setup(client)
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "灯具已到货，开始施工", "move": "start"})
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "施工过半", "move": ""})
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "全部完工", "move": "complete"})
    history = await StatusChange.select().where(StatusChange.action == action["id"]).order_by(StatusChange.id)
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("", "planned"),
        ("planned", "in_progress"),
        ("in_progress", "done"),
    ]
    assert all(h["at"] is not None and h["author_label"] for h in history)
    assert await ActionUpdate.count() == 3


async def test_a_done_action_cannot_be_moved_back_by_staff(client):
    _world, _decided, _action = await setup(client)
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "完工", "move": "complete"})
    response = await post(client, "/compounds/alpha/actions/1/updates", {"text": "再开工", "move": "start"})
    assert response.status_code == 400
    assert "只有群众监督才能让它重新办理" in text_of(response.text)
    assert (await Action.select(Action.status).first())["status"] == "done"
    assert await ActionUpdate.count() == 1


async def test_reopen_is_not_a_move_staff_can_send(client):
    _world, _decided, _action = await setup(client)
    await post(client, "/compounds/alpha/actions/1/updates", {"text": "完工", "move": "complete"})
    response = await post(client, "/compounds/alpha/actions/1/updates", {"text": "重开", "move": "reopen"})
    assert response.status_code == 400
    assert (await Action.select(Action.status).first())["status"] == "done"


async def test_a_refused_upload_says_why_keeps_the_text_and_saves_nothing(client, settings):
    _world, _decided, _action = await setup(client)
    response = await post(
        client,
        "/compounds/alpha/actions/1/updates",
        {"text": "灯已装好，见照片", "move": "complete"},
        files=[("files", ("现场.jpg", b"this is not a picture", "image/jpeg"))],
    )
    assert response.status_code == 400
    text = text_of(response.text)
    assert "现场.jpg 既不是照片" in text
    assert "灯已装好，见照片" in response.text
    assert not await ActionUpdate.exists() and not await Evidence.exists()
    assert (await Action.select(Action.status).first())["status"] == "planned"
    uploads = settings.var_dir / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


async def test_a_pdf_is_kept_as_evidence_when_its_content_is_a_pdf(client):
    _world, _decided, _action = await setup(client)
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    response = await post(
        client,
        "/compounds/alpha/actions/1/updates",
        {"text": "验收单见附件"},
        files=[
            ("files", ("验收单.pdf", pdf, "application/pdf")),
            ("files", ("现场.jpg", photo_with_location(), "image/jpeg")),
        ],
    )
    assert response.status_code == 200
    kinds = sorted(e["kind"] for e in await Evidence.select(Evidence.kind))
    assert kinds == ["image", "pdf"]
    pdf_row = await Evidence.select().where(Evidence.kind == "pdf").first()
    assert pdf_row["name"] == "验收单.pdf"
    served = await client.get(f"/c/alpha/evidence/{pdf_row['id']}")
    assert served.headers["content-type"] == "application/pdf" and served.content == pdf


async def test_too_many_files_are_refused(client):
    _world, _decided, _action = await setup(client)
    files = [("files", (f"{i}.jpg", photo_with_location(), "image/jpeg")) for i in range(7)]
    response = await post(client, "/compounds/alpha/actions/1/updates", {"text": "照片"}, files=files)
    assert response.status_code == 400
    assert "每次最多 6 个文件" in text_of(response.text)


async def test_an_empty_update_is_refused_next_to_the_field(client):
    _world, _decided, _action = await setup(client)
    response = await post(client, "/compounds/alpha/actions/1/updates", {"text": "  "})
    assert response.status_code == 400
    assert "请写明做了什么" in text_of(response.text)


async def test_with_htmx_the_update_returns_the_panel_fragment(client):
    _world, _decided, _action = await setup(client)
    response = await post(
        client, "/compounds/alpha/actions/1/updates", {"text": "开工", "move": "start"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text and "进展已发布" in response.text and "办理中" in response.text
    refused = await post(client, "/compounds/alpha/actions/1/updates", {"text": ""}, headers={"HX-Request": "true"})
    assert "<html" not in refused.text and "请写明做了什么" in refused.text


async def test_an_action_past_its_due_date_shows_as_overdue(client):
    _world, _decided, action = await setup(client)
    await Action.update({Action.due_on: local_today() - timedelta(days=3)}).where(Action.id == action["id"])
    text = text_of((await client.get("/compounds/alpha/actions/1")).text)
    assert "已超期" in text and "已超期 3 天" in text
    assert (await Action.select(Action.status).first())["status"] == "planned"


UPDATE = [
    ("pm_alpha", 200),
    ("sec_alpha", 200),
    ("admin", 200),
    ("committee_alpha", 403),
    ("grid_alpha1", 403),
    ("pm_beta", 404),
    ("sec_beta", 404),
]


@pytest.mark.parametrize(("username", "status"), UPDATE)
async def test_only_the_responsible_party_and_the_secretary_post_updates(client, username, status):
    _world, _decided, _action = await setup(client, username)
    response = await post(client, "/compounds/alpha/actions/1/updates", {"text": "进展", "move": "start"})
    assert response.status_code == status
    assert await ActionUpdate.exists() == (status == 200)
    page = await client.get("/compounds/alpha/actions/1")
    assert page.status_code == (404 if status == 404 else 200)
    if status == 403:
        assert 'id="update"' not in page.text


async def test_staff_of_the_responsible_party_may_post_even_when_not_the_named_person(client, world):
    decided = await decided_meeting(world)
    await drafted_action(
        world, decided.adopted, party_kind="committee", responsible=str(world.users["committee_alpha"])
    )
    # pm_alpha is not on the committee: refused; the committee member is.
    await login(client, "pm_alpha")
    assert (await post(client, "/compounds/alpha/actions/1/updates", {"text": "x"})).status_code == 403
    await login(client, "committee_alpha")
    assert (await post(client, "/compounds/alpha/actions/1/updates", {"text": "业委会已审核"})).status_code == 200


async def test_an_update_needs_a_login(client, world):
    decided = await decided_meeting(world)
    await drafted_action(world, decided.adopted)
    response = await post(client, "/compounds/alpha/actions/1/updates", {"text": "x"})
    assert "/login" in str(response.url)
    assert not await ActionUpdate.exists()


async def test_evidence_of_another_compound_is_not_served_under_this_one(client):
    _world, _decided, _action = await setup(client)
    await post(
        client,
        "/compounds/alpha/actions/1/updates",
        {"text": "照片"},
        files=[("files", ("a.jpg", photo_with_location(), "image/jpeg"))],
    )
    evidence = await Evidence.select().first()
    assert (await client.get(f"/c/beta/evidence/{evidence['id']}")).status_code == 404
    assert (await client.get("/c/alpha/evidence/999999")).status_code == 404
