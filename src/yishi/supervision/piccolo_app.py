from piccolo.conf.apps import AppConfig

from yishi.settings import PROJECT_ROOT
from yishi.supervision.tables import Escalation, Objection, ObjectionPhoto, Rating

APP_CONFIG = AppConfig(
    app_name="supervision",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "supervision"),
    table_classes=[Rating, Objection, ObjectionPhoto, Escalation],
    migration_dependencies=["yishi.actions.piccolo_app"],
    commands=[],
)
