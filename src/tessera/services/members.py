"""Project members and their roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import ProjectMember, User
from tessera.domain.errors import InvalidInput, NotFound
from tessera.domain.ids import as_row_id
from tessera.domain.policy import ROLES
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.users import find_user_by_email


def list_members(session: Session, actor: Actor, project_id: int) -> list[tuple[User, ProjectMember]]:
    get_project(session, actor, project_id, "members.view")
    q = (
        select(User, ProjectMember)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project_id)
        .order_by(User.id)
    )
    return [(u, m) for u, m in session.execute(q)]


def _find_user(session: Session, ref: Any) -> User:
    user = None
    if (user_id := as_row_id(ref)) is not None:
        user = session.get(User, user_id)
    elif isinstance(ref, str):
        user = find_user_by_email(session, ref)
    if user is None:
        raise InvalidInput("no such user", field_errors={"user": ["no user with this id or e-mail"]})
    return user


def add_member(session: Session, actor: Actor, project_id: int, body: dict[str, Any]) -> tuple[User, ProjectMember]:
    get_project(session, actor, project_id, "members.change")
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - {"user", "role"})
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    role = body.get("role", "annotator")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field_errors={"role": ["invalid role"]})
    user = _find_user(session, body.get("user"))
    member = session.get(ProjectMember, (project_id, user.id))
    if member is None:
        member = ProjectMember(project_id=project_id, user_id=user.id, role=role)
        session.add(member)
    else:
        member.role = role
    session.flush()
    return user, member


def remove_member(session: Session, actor: Actor, project_id: int, user_ref: Any) -> None:
    get_project(session, actor, project_id, "members.change")
    user = _find_user(session, user_ref)
    member = session.get(ProjectMember, (project_id, user.id))
    if member is None:
        raise NotFound("member not found")
    if member.role == "manager":
        managers = session.scalars(
            select(ProjectMember).where(ProjectMember.project_id == project_id, ProjectMember.role == "manager")
        ).all()
        if len(managers) == 1 and not actor.is_admin:
            raise InvalidInput("a project needs at least one manager")
    session.delete(member)
    session.flush()
