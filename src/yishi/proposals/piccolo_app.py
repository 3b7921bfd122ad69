from piccolo.conf.apps import AppConfig

from yishi.proposals.tables import Proposal, ProposalEvent, ProposalPhoto, Second
from yishi.settings import PROJECT_ROOT

APP_CONFIG = AppConfig(
    app_name="proposals",
    migrations_folder_path=str(PROJECT_ROOT / "migrations" / "proposals"),
    table_classes=[Proposal, Second, ProposalPhoto, ProposalEvent],
    migration_dependencies=["yishi.accounts.piccolo_app"],
    commands=[],
)
