import pytest

from tests.support import login, post, text_of
from yishi.accounts import service


@pytest.mark.usefixtures("world")
async def test_staff_member_logs_in_and_sees_their_compounds(client):
    await login(client, "sec_alpha")
    home = await client.get("/")
    assert home.status_code == 200
    assert "银河湾小区" in home.text
    assert "人保小区" not in home.text


@pytest.mark.usefixtures("world")
async def test_wrong_password_is_refused_with_a_message_next_to_the_field(client):
    response = await post(client, "/login", {"username": "sec_alpha", "password": "wrong password"})
    assert response.status_code == 400
    assert "用户名或密码错误" in text_of(response.text)
    assert 'value="sec_alpha"' in response.text


@pytest.mark.usefixtures("world")
async def test_sixth_failed_login_for_one_account_is_refused_even_with_the_right_password(client):
    for _ in range(5):
        await post(client, "/login", {"username": "sec_alpha", "password": "wrong password"})
    response = await post(client, "/login", {"username": "sec_alpha", "password": "correct horse battery"})
    assert response.status_code == 429
    assert "尝试次数过多" in text_of(response.text)


async def test_pages_for_staff_send_a_visitor_to_the_login_page(client):
    response = await client.get("/compounds/alpha/roster", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.usefixtures("world")
async def test_logout_ends_the_session(client):
    await login(client, "sec_alpha")
    await post(client, "/logout")
    response = await client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/login"


@pytest.mark.usefixtures("world")
async def test_a_form_without_its_csrf_token_is_refused(client):
    response = await client.post("/login", data={"username": "sec_alpha", "password": "correct horse battery"})
    assert response.status_code == 403
    roster = await client.get("/compounds/alpha/roster", follow_redirects=False)
    assert roster.status_code in (302, 303) and roster.headers["location"].startswith("/login")


@pytest.mark.usefixtures("world")
async def test_changing_password_needs_the_current_one(client):
    await login(client, "sec_alpha")
    response = await post(
        client, "/account/password", {"current": "nope", "new": "a new password", "repeat": "a new password"}
    )
    assert response.status_code == 400
    assert "当前密码不正确" in text_of(response.text)
    response = await post(
        client,
        "/account/password",
        {"current": "correct horse battery", "new": "a new password", "repeat": "a new password"},
    )
    assert response.status_code == 200
    await post(client, "/logout")
    await login(client, "sec_alpha", "a new password")


async def test_a_household_link_opens_its_household_until_reissued(settings, world):
    household = world.households["alpha:1-1-101"]
    first = await service.issue_household_link(household, world.users["sec_alpha"])
    assert await service.household_for_token(first) == household
    second = await service.issue_household_link(household, world.users["sec_alpha"])
    assert await service.household_for_token(first) is None
    assert await service.household_for_token(second) == household
    assert len(second) >= 22  # 128 random bits, URL-safe
