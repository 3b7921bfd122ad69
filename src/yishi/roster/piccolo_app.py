from piccolo.conf.apps import AppConfig

from yishi.roster.tables import Building, Community, Compound, Household, Party, PropertyCompany
from yishi.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="roster",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "roster"),
    table_classes=[Community, PropertyCompany, Compound, Building, Household, Party],
    migration_dependencies=[],
    commands=[],
)
