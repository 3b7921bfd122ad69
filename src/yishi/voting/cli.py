"""``yishi tally``: recount an exported ballot from its roll and votes CSV files."""

from __future__ import annotations

import json
import sys

import click

from yishi.rules import Rule, TallyError
from yishi.voting.recount import RecountError, decode_csv, load_and_tally

EXIT_BAD_INPUT = 2


@click.command("tally")
@click.option(
    "--rule",
    required=True,
    type=click.Choice([rule.value for rule in Rule]),
    help="The rule the agenda item names.",
)
@click.option(
    "--roll",
    "roll_path",
    required=True,
    metavar="ROLL.csv",
    type=click.Path(exists=True, dir_okay=False),
    help="The voter roll: voter,area_m2,owner_key.",
)
@click.option(
    "--votes",
    "votes_path",
    required=True,
    metavar="VOTES.csv",
    type=click.Path(exists=True, dir_okay=False),
    help="The votes: voter,choice.",
)
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="LABEL",
    help="An option of a multi-option item; repeat for each. Omit for a yes/no item.",
)
def tally(rule: str, roll_path: str, votes_path: str, options: tuple[str, ...]) -> None:
    """Recount a ballot and print the result as JSON.

    A bad line is reported as "FILE line N: reason" and exits with status 2.
    """
    paths = {"roll": roll_path, "votes": votes_path}
    try:
        roll_text = decode_csv(_read(roll_path), "roll")
        votes_text = decode_csv(_read(votes_path), "votes")
        result = load_and_tally(rule, roll_text, votes_text, options)
    except RecountError as error:
        where = paths[error.source] if error.source else "input"
        click.echo(f"{where} line {error.line}: {error.message}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except TallyError as error:
        raise click.BadParameter(error.message, param_hint="'--option'") from error
    click.echo(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2))


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()
