from piccolo.conf.apps import AppConfig

from yishi.audit.tables import AuditEntry
from yishi.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "audit"),
    table_classes=[AuditEntry],
    migration_dependencies=["yishi.accounts.piccolo_app"],
    commands=[],
)
