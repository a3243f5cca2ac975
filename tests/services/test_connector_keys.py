"""Connector keys at rest: encrypted under the instance secret, or read from a `TESSERA_KEY_*` variable."""

from __future__ import annotations

import pytest

from tessera.db.engine import Database
from tessera.db.tables import Connector, InstanceSetting
from tessera.domain.errors import InvalidInput
from tessera.services.connector_keys import api_key_of, encrypt_key, env_name_problem
from tessera.services.secrets import SECRET_KEY_NAME

KEY = "sk-abc-123-secret"


def test_a_stored_key_round_trips_and_is_not_readable_as_stored(db: Database) -> None:
    with db.writer() as s:
        token = encrypt_key(s, KEY)
        assert KEY not in token
        assert encrypt_key(s, KEY) != token  # a fresh IV every time
        assert api_key_of(s, Connector(name="c", api_key_encrypted=token)) == KEY
        s.rollback()


def test_a_changed_instance_secret_is_a_clear_error_without_the_key(db: Database) -> None:
    with db.writer() as s:
        token = encrypt_key(s, KEY)
        s.get(InstanceSetting, SECRET_KEY_NAME).value = "another secret"  # type: ignore[union-attr]
        s.flush()
        with pytest.raises(InvalidInput, match="cannot be decrypted") as caught:
            api_key_of(s, Connector(name="c", api_key_encrypted=token))
        assert KEY not in caught.value.detail
        s.rollback()


def test_a_key_from_the_environment(db: Database) -> None:
    with db.reader() as s:
        connector = Connector(name="c", api_key_env="TESSERA_KEY_X")
        assert api_key_of(s, connector, {"TESSERA_KEY_X": KEY}) == KEY
        with pytest.raises(InvalidInput, match="TESSERA_KEY_X .* is not set"):
            api_key_of(s, connector, {})
        assert api_key_of(s, Connector(name="c"), {}) is None
        s.rollback()


@pytest.mark.parametrize("name", ["OPENAI_API_KEY", "TESSERA_DATABASE_URL", "tessera_key_x", "TESSERA_KEY_"])
def test_only_tessera_key_variables_may_be_named(name: str) -> None:
    assert env_name_problem(name) is not None
