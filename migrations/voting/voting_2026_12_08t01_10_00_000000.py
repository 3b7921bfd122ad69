"""Secret ballots seal their choices while open: each ballot gets a salt its
keys are derived from (with the site's secret key, which stays out of the
database), and each choice row a sealed box and a keyed tag (the next
migration gives open ballots their salts)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-08T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sealed choices of open secret ballots"


def _params(**params: object) -> dict[str, object]:
    return {
        **params,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="voting", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Ballot",
        tablename="ballot",
        column_name="seal_salt",
        db_column_name="seal_salt",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=32, default=""),
        schema=None,
    )
    for name, column_class, params in (
        ("sealed", Text, _params(default="")),
        ("tag", Varchar, _params(length=64, default="")),
    ):
        manager.add_column(
            table_class_name="SecretChoice",
            tablename="ballot_secret_choice",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
