from tests.support import text_of


async def test_health_check_answers_ok_when_the_database_is_reachable(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_login_page_is_in_chinese_by_default(client):
    response = await client.get("/login")
    assert response.status_code == 200
    assert "工作人员登录" in response.text


async def test_health_check_answers_503_when_the_database_cannot_be_reached(client):
    from piccolo.engine.sqlite import SQLiteEngine

    from yishi import db

    db.bind(SQLiteEngine(path="/nonexistent-folder/yishi.sqlite3"))
    response = await client.get("/healthz")
    assert response.status_code == 503


async def test_a_person_can_switch_to_english_and_back(client):
    from tests.support import post

    response = await post(client, "/language", {"language": "en", "next": "/login"})
    assert "Staff login" in response.text
    response = await post(client, "/language", {"language": "zh_CN", "next": "/login"})
    assert "工作人员登录" in response.text


async def test_switching_language_never_sends_a_person_to_another_site(client):
    from tests.support import post

    response = await post(client, "/language", {"language": "en", "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


async def test_an_unknown_page_is_a_friendly_page_in_the_layout(client):
    response = await client.get("/c/no-such-compound")
    assert response.status_code == 404
    page = text_of(response.text)
    assert "未找到" in page and "返回首页" in page
    assert "Traceback" not in response.text
