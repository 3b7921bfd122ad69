"""`yishi roster import|export` and `yishi user add`, against the test database."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import run_in_thread
from tests.support import build_world
from yishi.cli import main
from yishi.roster.tables import Household


@pytest.fixture
def cli(settings, monkeypatch):
    monkeypatch.setenv("YISHI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("YISHI_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("YISHI_VAR_DIR", str(settings.var_dir))
    run_in_thread(build_world())
    return CliRunner()


def test_cli_import_refuses_a_bad_file_with_line_numbers_and_writes_nothing(cli, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_text("楼栋,房号,专有部分面积\n7,1-101,80\n7,1-102,abc\n7,1-101,81\n", encoding="gb18030")
    result = cli.invoke(main, ["roster", "import", "--compound", "alpha", str(path)])
    assert result.exit_code == 2
    assert "line 3:" in result.output and "abc" in result.output
    assert "line 4:" in result.output
    assert run_in_thread(Household.count().where(Household.building.code == "7").run()) == 0


def test_cli_export_then_import_changes_nothing(cli, tmp_path: Path):
    path = tmp_path / "roster.csv"
    exported = cli.invoke(main, ["roster", "export", "--compound", "alpha", "-o", str(path)])
    assert exported.exit_code == 0, exported.output
    result = cli.invoke(main, ["roster", "import", "--compound", "alpha", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 6 unchanged" in result.output


def test_cli_import_for_an_unknown_compound_is_a_clear_error(cli, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_text("building,unit,area_m2\n1,101,80\n")
    result = cli.invoke(main, ["roster", "import", "--compound", "nowhere", str(path)])
    assert result.exit_code != 0
    assert "Error" in result.output


def test_cli_adds_a_secretary_who_can_then_log_in(cli):
    from yishi.accounts import service

    result = cli.invoke(
        main,
        [
            "user",
            "add",
            "newsec",
            "--name",
            "王芳",
            "--role",
            "secretary",
            "--compound",
            "beta",
            "--password",
            "a long password",
        ],
    )
    assert result.exit_code == 0, result.output
    user_id = run_in_thread(service.authenticate("newsec", "a long password", "127.0.0.1"))
    principal = run_in_thread(service.load_principal(user_id))
    assert principal is not None and principal.roles == {"secretary"}


def test_cli_refuses_a_short_password_and_adds_nobody(cli):
    from yishi.accounts.tables import StaffUser

    result = cli.invoke(
        main,
        ["user", "add", "short", "--name", "李", "--role", "secretary", "--compound", "beta", "--password", "short"],
    )
    assert result.exit_code != 0
    assert "password" in result.output
    assert not run_in_thread(StaffUser.exists().where(StaffUser.username == "short").run())
