from piccolo.conf.apps import AppConfig

from yishi.settings import PROJECT_ROOT
from yishi.voting.tables import Ballot, BallotRollEntry, BallotVote, HandCount, SecretChoice, SecretTally

APP_CONFIG = AppConfig(
    app_name="voting",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "voting"),
    table_classes=[Ballot, BallotRollEntry, BallotVote, SecretChoice, SecretTally, HandCount],
    migration_dependencies=["yishi.meetings.piccolo_app"],
    commands=[],
)
