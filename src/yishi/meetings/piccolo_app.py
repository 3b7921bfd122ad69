from piccolo.conf.apps import AppConfig

from yishi.meetings.tables import Addendum, AgendaItem, Attendance, Comment, Invitation, Meeting, Position
from yishi.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="meetings",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "meetings"),
    table_classes=[Meeting, Invitation, AgendaItem, Position, Attendance, Comment, Addendum],
    migration_dependencies=["yishi.proposals.piccolo_app"],
    commands=[],
)
