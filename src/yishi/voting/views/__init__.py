"""Ballot pages: the staff console under ``/compounds/{code}/ballots``, the
resident's ballot under ``/c/{code}/ballots/{id}`` and the published results
under ``/c/{code}/results/{id}`` (with the recount files).
"""

from __future__ import annotations

from yishi.voting.views.console import BallotConsoleController
from yishi.voting.views.corrections import BallotCorrectionsController
from yishi.voting.views.entry import VoteEntryController
from yishi.voting.views.opening import BallotOpeningController
from yishi.voting.views.public import PublicBallotController

CONTROLLERS = (
    BallotOpeningController,
    BallotConsoleController,
    VoteEntryController,
    BallotCorrectionsController,
    PublicBallotController,
)

__all__ = [
    "CONTROLLERS",
    "BallotConsoleController",
    "BallotCorrectionsController",
    "BallotOpeningController",
    "PublicBallotController",
    "VoteEntryController",
]
