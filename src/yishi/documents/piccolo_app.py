from piccolo.conf.apps import AppConfig

from yishi.documents.tables import IssuedDocument
from yishi.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="documents",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "documents"),
    table_classes=[IssuedDocument],
    migration_dependencies=["yishi.accounts.piccolo_app", "yishi.roster.piccolo_app"],
    commands=[],
)
