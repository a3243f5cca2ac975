"""Who made an imported annotation: its `completed_by` resolved to a member of the project.

- missing or null: the importer, as in Label Studio;
- `{"email": ...}` (a Label Studio snapshot) or an e-mail string: the member with that e-mail;
- a number: with an annotator map (another instance's user ids to e-mails, e.g. Label Studio's
  `GET /api/users` answer), the member the map names; without one, a member with that Tessera id (what a
  Tessera export carries), else the importer.

An e-mail that names nobody in the project, or a number the map lacks, refuses the row: an import never
credits a label to the wrong person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import ProjectMember, User
from tessera.domain.errors import InvalidInput
from tessera.domain.ids import as_row_id
from tessera.io.json_values import DECODER
from tessera.services.users import normalize_email

AnnotatorMap = dict[int, str]


def read_annotator_map(raw: bytes | str) -> AnnotatorMap:
    """An annotator map from JSON text; refused with what is wrong."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        value = DECODER.decode(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidInput(f"the annotator map is not valid JSON: {exc}") from exc
    return parse_annotator_map(value)


def parse_annotator_map(value: Any) -> AnnotatorMap:
    """`{"<id>": "<email>", ...}`, or a list of users `[{"id": 1, "email": "..."}, ...]`; refused with the
    entry named when it is neither."""
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        value = value["results"]  # a paged user list
    pairs: list[tuple[Any, Any]]
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = []
        for i, user in enumerate(value):
            if not isinstance(user, dict) or "id" not in user or "email" not in user:
                raise InvalidInput(f"annotator map [{i}]: a user needs an id and an email")
            pairs.append((user["id"], user["email"]))
    else:
        raise InvalidInput("the annotator map must be an object of id: email, or a list of users with id and email")
    out: AnnotatorMap = {}
    for key, email in pairs:
        ident = as_row_id(key)
        if ident is None:
            raise InvalidInput(f"annotator map: {key!r} is not a user id")
        if not isinstance(email, str) or "@" not in email:
            raise InvalidInput(f"annotator map: user {ident} has no e-mail address")
        out[ident] = normalize_email(email)
    return out


class AuthorResolver:
    def __init__(
        self, session: Session, project_id: int, importer_id: int | None, annotator_map: AnnotatorMap | None
    ) -> None:
        self.session, self.project_id, self.importer = session, project_id, importer_id
        self.annotator_map = annotator_map
        self._by_email: dict[str, int] | None = None
        # Called before each query: an import streaming rows into an open COPY closes it first.
        self.before_query: Callable[[], None] = lambda: None

    def resolve(self, value: Any) -> int | None:
        if value is None:
            return self.importer
        if isinstance(value, dict):
            if value.get("email"):
                return self._member(value["email"])
            value = value.get("id")
        if isinstance(value, str) and "@" in value:
            return self._member(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"completed_by {value!r} is neither a user id nor an e-mail address")
        if self.annotator_map is not None:
            if value not in self.annotator_map:
                raise InvalidInput(f"completed_by {value} is not in the annotator map")
            return self._member(self.annotator_map[value])
        return value if value in self._members().values() else self.importer

    def _member(self, email: Any) -> int:
        key = normalize_email(str(email))
        found = self._members().get(key)
        if found is None:
            self.before_query()
            known = self.session.scalar(select(User.id).where(User.email == key))
            why = "is not a member of this project" if known is not None else "is not a Tessera user"
            raise InvalidInput(f"completed_by {key} {why}")
        return found

    def _members(self) -> dict[str, int]:
        if self._by_email is None:
            self.before_query()
            q = (
                select(User.email, User.id)
                .join(ProjectMember, ProjectMember.user_id == User.id)
                .where(ProjectMember.project_id == self.project_id)
            )
            self._by_email = {normalize_email(email): ident for email, ident in self.session.execute(q)}
        return self._by_email
