"""Piccolo's configuration module.

``DB`` is replaced by :func:`yishi.db.configure` once the settings are known;
the default below lets Piccolo's own tooling import the module.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

from yishi.settings import PROJECT_ROOT

APPS = [
    "yishi.accounts.piccolo_app",
    "yishi.roster.piccolo_app",
    "yishi.audit.piccolo_app",
    "yishi.proposals.piccolo_app",
    "yishi.meetings.piccolo_app",
    "yishi.voting.piccolo_app",
    "yishi.actions.piccolo_app",
    "yishi.supervision.piccolo_app",
    "yishi.documents.piccolo_app",
]

DB = SQLiteEngine(path=str(PROJECT_ROOT / "var" / "yishi.sqlite3"))
APP_REGISTRY = AppRegistry(apps=APPS)
