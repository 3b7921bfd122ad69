"""The ASGI application for servers: ``uvicorn yishi.asgi:app``."""

from yishi.app import create_app
from yishi.settings import Settings

app = create_app(Settings.from_env())
