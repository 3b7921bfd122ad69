"""The ``yishi`` command: serve, migrate, demo, roster, user, tally."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from yishi import db
from yishi.accounts.cli import purge
from yishi.commands import load_settings, raise_open_files_limit, run_with_database
from yishi.errors import DomainError
from yishi.supervision.cli import escalate
from yishi.voting.cli import tally


@click.group()
def main() -> None:
    """Yishi (议事): consultation meetings for residential compounds."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application."""
    import uvicorn

    from yishi.web.server import GuardedHttpToolsProtocol

    settings = load_settings()
    if workers > 1 and not settings.is_postgres:
        raise click.ClickException(
            "Several workers need PostgreSQL (YISHI_DATABASE_URL=postgresql://...): SQLite serves one process."
        )
    click.echo(f"open files allowed: {raise_open_files_limit()}")
    uvicorn.run(
        "yishi.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_level="info",
        access_log=False,
        http=GuardedHttpToolsProtocol,  # deadlines for slow headers and bodies
        timeout_graceful_shutdown=5,  # open live streams end then; their screens reconnect
    )


@main.command()
def migrate() -> None:
    """Bring the database to the current schema."""
    run_with_database(db.migrate)
    click.echo("database is up to date")


@main.command()
def demo() -> None:
    """Load the demo community (does nothing if it is already there)."""
    from yishi import demo as demo_data

    async def work() -> Any:
        await db.migrate()
        return await demo_data.load()

    created = run_with_database(work)
    click.echo("demo data loaded" if created else "demo data already present, nothing added")
    click.echo(demo_data.logins_text())


@main.group()
def roster() -> None:
    """Import or export a compound's household roster (CSV)."""


@roster.command("import")
@click.option("--compound", "compound_code", required=True, help="the compound's code")
@click.option(
    "--new-building",
    "new_buildings",
    multiple=True,
    metavar="CODE",
    help="confirm that the file may create this building (repeat for each)",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def roster_import(compound_code: str, file: Path, new_buildings: tuple[str, ...]) -> None:
    """Import households from FILE (UTF-8 or GB18030 CSV); all rows or none.
    Buildings the file would create must each be confirmed with --new-building."""
    from yishi.roster import service

    async def work() -> Any:
        compound = await service.compound_by_code(compound_code)
        return await service.apply_import(compound["id"], file.read_bytes(), confirmed_buildings=new_buildings)

    result = run_with_database(work)
    if isinstance(result, service.ImportPreview):
        for error in result.errors:
            where = f"line {error.line}" if error.line else "file"
            click.echo(f"{file}: {where}: {error.message}", err=True)
        if result.confirm_error:
            click.echo(f"{file}: {result.confirm_error}", err=True)
            click.echo(
                "confirm them with: " + " ".join(f"--new-building {code}" for code in result.new_buildings), err=True
            )
        click.echo("nothing was imported", err=True)
        sys.exit(2)
    click.echo(f"imported: {result.created} new, {result.updated} updated, {result.unchanged} unchanged")


@roster.command("export")
@click.option("--compound", "compound_code", required=True, help="the compound's code")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="file to write (default: standard output)",
)
@click.option("--english-headers", is_flag=True, help="English column names instead of Chinese")
def roster_export(compound_code: str, output: Path | None, english_headers: bool) -> None:
    """Export a compound's households as CSV (UTF-8 with BOM, opens in Excel)."""
    from yishi.roster import service

    async def work() -> bytes:
        compound = await service.compound_by_code(compound_code)
        return await service.export_roster(compound["id"], "en" if english_headers else "zh_CN")

    data = run_with_database(work)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)


@main.group()
def user() -> None:
    """Staff accounts."""


ROLE_SCOPE_OPTION = {
    "community_admin": "community",
    "secretary": "compound",
    "committee_member": "compound",
    "property_manager": "company",
    "grid_worker": "building",
}


@user.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="the person's name")
@click.option("--role", type=click.Choice(sorted(ROLE_SCOPE_OPTION)), required=True)
@click.option("--community", "community_code", help="community code (community_admin)")
@click.option(
    "--compound", "compound_code", help="compound code (secretary, committee_member; with --building for grid_worker)"
)
@click.option("--company", "company_name", help="property company name (property_manager)")
@click.option("--building", "building_code", help="building code within --compound (grid_worker)")
@click.password_option(help="at least 8 characters (asked for when not given)")
def user_add(
    username: str,
    display_name: str,
    role: str,
    community_code: str | None,
    compound_code: str | None,
    company_name: str | None,
    building_code: str | None,
    password: str,
) -> None:
    """Add a staff account with one role over one place."""
    from yishi.accounts import service as accounts
    from yishi.accounts.permissions import Role
    from yishi.roster.tables import Building, Community, Compound, PropertyCompany

    async def resolve_scope() -> accounts.Scope:
        needed = ROLE_SCOPE_OPTION[role]
        if needed == "community":
            row = await Community.select(Community.id).where(Community.code == (community_code or "")).first()
            if row is None:
                raise DomainError(f"--community: no community with code {community_code!r}")
            return accounts.Scope(community_id=row["id"])
        if needed == "company":
            row = (
                await PropertyCompany.select(PropertyCompany.id)
                .where(PropertyCompany.name == (company_name or ""))
                .first()
            )
            if row is None:
                raise DomainError(f"--company: no property company named {company_name!r}")
            return accounts.Scope(company_id=row["id"])
        compound = await Compound.select(Compound.id).where(Compound.code == (compound_code or "")).first()
        if compound is None:
            raise DomainError(f"--compound: no compound with code {compound_code!r}")
        if needed == "compound":
            return accounts.Scope(compound_id=compound["id"])
        building = (
            await Building.select(Building.id)
            .where((Building.compound == compound["id"]) & (Building.code == (building_code or "")))
            .first()
        )
        if building is None:
            raise DomainError(f"--building: no building {building_code!r} in {compound_code}")
        return accounts.Scope(building_id=building["id"])

    async def work() -> int:
        async with db.write_transaction():
            scope = await resolve_scope()
            user_id = await accounts.create_user(username, display_name, password)
            await accounts.grant_role(user_id, Role(role), scope)
            return user_id

    user_id = run_with_database(work)
    click.echo(f"added {username} (id {user_id}) as {role}")


main.add_command(tally)
main.add_command(escalate)
main.add_command(purge)

if __name__ == "__main__":
    main()
