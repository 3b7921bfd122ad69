"""Receipt codes (回执码). Pure: no I/O, no framework.

Open ballots
    An 8-character code (``K7Q2-M9XD``), stored on the vote with its choice
    and published with it after closing.

Secret ballots
    A 16-character code in two halves (``K7Q2-M9XD-4HPA-V8NC``). The first
    half is public: it is stored with the choice and published with it after
    closing, so the voter can check their choice was counted. The second
    half is private: it is stored nowhere. The vote (who took part) keeps only
    ``check_value(code)``, a salted PBKDF2 hash of the whole code, which proves
    that a receipt handed over by the voter belongs to that vote (so voiding
    removes the right choice) but cannot be matched to any stored choice
    without guessing the private half: 31⁸ ≈ 2³⁹·⁶ guesses, each a PBKDF2 of
    ``CHECK_ITERATIONS`` rounds, for every pair of vote and choice.

The alphabet leaves out 0/O, 1/I/L, so a code read aloud or copied from
paper is not misread.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
HALF = 8
CHECK_ITERATIONS = 2000
CHECK_SCHEME = "pbkdf2_sha256"


def _group(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> str:
    """An open ballot's receipt code (8 characters, grouped by 4)."""
    return _group(_random(HALF))


def new_secret_code() -> str:
    """A secret ballot's receipt code: public half, then private half."""
    return _group(_random(2 * HALF))


def normalise(text: str) -> str:
    """What a person typed, as a code: spaces and dashes dropped, upper case, grouped by 4."""
    raw = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    return _group(raw) if len(raw) in (HALF, 2 * HALF) else raw


def public_part(code: str) -> str:
    """The half of a code that is stored with the choice and published (the
    whole code of an open ballot)."""
    raw = re.sub(r"[^0-9A-Z]", "", normalise(code))
    return _group(raw[:HALF])


def is_secret_code(code: str) -> bool:
    return len(re.sub(r"[^0-9A-Z]", "", normalise(code))) == 2 * HALF


def check_value(code: str, *, salt: bytes | None = None) -> str:
    """The stored proof that ``code`` is a vote's receipt: ``scheme$rounds$salt$hash``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", normalise(code).encode(), salt, CHECK_ITERATIONS)
    return f"{CHECK_SCHEME}${CHECK_ITERATIONS}${salt.hex()}${digest.hex()}"


def matches(code: str, check: str) -> bool:
    """Whether ``code`` is the receipt the stored ``check`` was made from."""
    try:
        scheme, rounds, salt, digest = check.split("$")
    except ValueError:
        return False
    if scheme != CHECK_SCHEME or not rounds.isdigit() or not is_secret_code(code):
        return False
    found = hashlib.pbkdf2_hmac("sha256", normalise(code).encode(), bytes.fromhex(salt), int(rounds))
    return hmac.compare_digest(found.hex(), digest)
