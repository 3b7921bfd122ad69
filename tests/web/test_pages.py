from yishi.settings import Settings
from tests.support import text_of


async def test_health_check_answers_ok_when_the_database_is_reachable(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_login_page_is_in_chinese_by_default(client):
    response = await client.get("/login")
    assert response.status_code == 200
    assert "工作人员登录" in response.text
