from piccolo.conf.apps import AppConfig

from yishi.accounts.tables import HouseholdLink, LoginAttempt, PartyMember, RoleGrant, SessionRecord, StaffUser
from yishi.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "accounts"),
    table_classes=[StaffUser, RoleGrant, PartyMember, SessionRecord, LoginAttempt, HouseholdLink],
    migration_dependencies=["yishi.roster.piccolo_app"],
    commands=[],
)
