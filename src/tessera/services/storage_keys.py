"""The keys source storages need, all derived with HKDF from the instance secret under names of their own:
one to encrypt a storage's secrets at rest (as connector API keys are, see `connector_keys.py`), one to sign
the expiring links that serve its objects to the browser (`storage_links.py`)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from tessera.domain.errors import InvalidInput
from tessera.services.secrets import instance_secret

_SEAL_INFO = b"tessera storage secrets v1"
_LINK_INFO = b"tessera storage links v1"


def _derive(session: Session, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(instance_secret(session).encode())


def seal(session: Session, values: dict[str, str]) -> str:
    fernet = Fernet(base64.urlsafe_b64encode(_derive(session, _SEAL_INFO)))
    return fernet.encrypt(json.dumps(values).encode()).decode("ascii")


def unseal(session: Session, token: str | None) -> dict[str, Any]:
    if not token:
        return {}
    fernet = Fernet(base64.urlsafe_b64encode(_derive(session, _SEAL_INFO)))
    try:
        return json.loads(fernet.decrypt(token.encode("ascii")))
    except InvalidToken as exc:
        raise InvalidInput("the storage's stored credentials cannot be decrypted; set them again") from exc


def link_key(session: Session) -> bytes:
    return _derive(session, _LINK_INFO)
