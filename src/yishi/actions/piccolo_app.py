from piccolo.conf.apps import AppConfig

from yishi.actions.tables import Action, ActionUpdate, Evidence, StatusChange
from yishi.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="actions",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "actions"),
    table_classes=[Action, StatusChange, ActionUpdate, Evidence],
    migration_dependencies=["yishi.meetings.piccolo_app"],
    commands=[],
)
