"""Connector API keys: encrypted at rest, readable only when a call is made.

A key typed into Tessera is stored as a Fernet token (AES-128-CBC with HMAC-SHA256) under a key derived with
HKDF from the instance secret, so a copy of the `connectors` table alone does not reveal it; whoever holds
the database holds the instance secret too, so this protects dumps and exports of a table, not a whole
database. The other way is `api_key_env`: the name of an environment variable of the server process. Such
names must start with `TESSERA_KEY_`, so that a project manager cannot have the server send, say, its
database URL to an endpoint of their choosing.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from tessera.db.tables import Connector
from tessera.domain.errors import InvalidInput
from tessera.services.secrets import instance_secret

ENV_PREFIX = "TESSERA_KEY_"
ENV_NAME = re.compile(r"^TESSERA_KEY_[A-Z0-9_]+$")
_INFO = b"tessera connector api keys v1"


def _fernet(session: Session) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        instance_secret(session).encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_key(session: Session, key: str) -> str:
    return _fernet(session).encrypt(key.encode()).decode("ascii")


def env_name_problem(name: str) -> str | None:
    if not ENV_NAME.match(name):
        return f"must be an environment variable name starting with {ENV_PREFIX} (upper case, digits, _)"
    return None


def api_key_of(session: Session, connector: Connector, environ: Mapping[str, str] | None = None) -> str | None:
    """The key to send as `Authorization: Bearer`, or None when the connector has none. A key that cannot be
    decrypted (the instance secret changed) or an unset variable is an error that names the connector only."""
    if connector.api_key_encrypted:
        try:
            return _fernet(session).decrypt(connector.api_key_encrypted.encode("ascii")).decode()
        except InvalidToken as exc:
            detail = f"the stored API key of connector {connector.name!r} cannot be decrypted; set it again"
            raise InvalidInput(detail, field_errors={"api_key": ["cannot be decrypted"]}) from exc
    if connector.api_key_env:
        value = (os.environ if environ is None else environ).get(connector.api_key_env)
        if not value:
            detail = f"the environment variable {connector.api_key_env} of connector {connector.name!r} is not set"
            raise InvalidInput(detail, field_errors={"api_key_env": ["not set on the server"]})
        return value
    return None
