"""A secret ballot's choices, sealed while it is open. No I/O.

While a secret ballot is open each choice is stored only inside a sealed box
(libsodium's sealed boxes, through PyNaCl): the public half of the voter's
receipt code, the choice and the voter's weight, padded to one size, so the
stored bytes say nothing of the choice, not even its length. The ballot's key
pair is derived from the site's secret key (``YISHI_SECRET_KEY``) and a random
salt kept on the ballot; the private key is never stored. So a copy of the
database, its system columns (PostgreSQL's ``xmin``, ``ctid``), the order of
its rows or a dump pair a participant at most with a box that nobody can open
without the site's key, and there are no running sums per choice to read.

Closing opens the boxes with the key, counts, and writes the choices in the
clear in receipt-code order (``service.closing``), as they are published.

A box is found again without opening it (voiding a vote by its receipt) by
its ``tag``: a keyed hash of the stream and the public half of the receipt,
which means nothing without the site's key either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

# Every payload is padded to this many bytes before sealing: an option's label
# is at most 120 characters (360 bytes of UTF-8), and the boxes of "yes" and of
# the longest label are then the same length.
PAYLOAD_SIZE = 512


class SealBroken(ValueError):
    """A box that this ballot's key does not open: the site's secret key changed
    since the ballot opened, or the row was not written by Yishi."""


@dataclass(frozen=True)
class Opened:
    receipt_code: str
    choice: str
    weight: int


def new_salt() -> str:
    return secrets.token_hex(16)


def _derived(secret: str, purpose: str, salt: str) -> bytes:
    if not secret:
        raise RuntimeError("a secret ballot needs the site's secret key (YISHI_SECRET_KEY) to seal its choices")
    return hmac.new(secret.encode(), f"yishi|{purpose}|{salt}".encode(), hashlib.sha256).digest()


class BallotSeal:
    """The keys of one ballot, derived from the site's secret and the ballot's salt."""

    def __init__(self, secret: str, salt: str) -> None:
        if not salt:
            raise ValueError("this ballot has no seal salt")
        self._private = PrivateKey(_derived(secret, "ballot-seal", salt))
        self._tag_key = _derived(secret, "ballot-tag", salt)

    def seal(self, receipt_code: str, choice: str, weight: int) -> str:
        payload = json.dumps([receipt_code, choice, weight], ensure_ascii=False).encode()
        if len(payload) > PAYLOAD_SIZE:
            raise ValueError("a choice too long to seal")
        padded = payload + b" " * (PAYLOAD_SIZE - len(payload))
        return base64.b64encode(SealedBox(self._private.public_key).encrypt(padded)).decode()

    def open(self, sealed: str) -> Opened:
        try:
            payload = SealedBox(self._private).decrypt(base64.b64decode(sealed, validate=True))
            receipt_code, choice, weight = json.loads(payload.decode())
        except (CryptoError, ValueError, TypeError) as error:
            raise SealBroken("a sealed choice this ballot's key does not open") from error
        return Opened(str(receipt_code), str(choice), int(weight))

    def tag(self, stream: str, receipt_code: str) -> str:
        return hmac.new(self._tag_key, f"{stream}|{receipt_code}".encode(), hashlib.sha256).hexdigest()
