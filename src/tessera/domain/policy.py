"""The permission policy: which project role may do what. One table, read by the scoped accessor and by the
permission test matrix. Instance admins may do everything; people outside a project see nothing of it
(its objects are 404 to them, as if they did not exist)."""

from __future__ import annotations

ROLES = ("annotator", "reviewer", "manager")
ADMIN = "admin"

MEMBERS = frozenset(ROLES)
STAFF = frozenset({"reviewer", "manager"})
MANAGERS = frozenset({"manager"})

POLICY: dict[str, frozenset[str]] = {
    "project.view": MEMBERS,
    "project.change": MANAGERS,
    "project.delete": MANAGERS,
    "members.view": MEMBERS,
    "members.change": MANAGERS,
    "tasks.view": MEMBERS,
    "tasks.create": MANAGERS,  # import, create, bulk predictions
    "tasks.change": MANAGERS,
    "tasks.delete": MANAGERS,
    "annotations.create": MEMBERS,
    "annotations.view_all": STAFF,  # annotators see their own only, unless the project allows it
    "annotations.change_any": STAFF,  # authors may always change their own
    "annotations.delete_any": MANAGERS,  # authors may always delete their own
    "reviews.create": STAFF,  # never on one's own annotation
    "predictions.view": MEMBERS,
    "predictions.change": MANAGERS,
    "exports.view": STAFF,
    "exports.create": STAFF,
    "exports.delete": MANAGERS,  # anyone's snapshot; whoever made one may always delete it
    "agreement.view": STAFF,  # it shows every annotator's answers in aggregate
    "dashboard.view": STAFF,  # per-annotator figures and the label distribution
    "ml.view": MEMBERS,
    "ml.change": MANAGERS,
    "connectors.view": STAFF,  # the whole record (never the key); annotators list names and models only
    "connectors.list": MEMBERS,
    "connectors.change": MANAGERS,
    "connectors.run": MANAGERS,  # generation and judge jobs: they write task data and predictions
    "connectors.chat": MEMBERS,  # live calls from the editor (red-teaming, Chat tag)
    "assignments.view": STAFF,
    "assignments.change": MANAGERS,
    "storages.view": STAFF,  # settings, never secrets
    "storages.change": MANAGERS,  # create, change, sync, delete; a local folder needs an instance admin too
    "views.view": MEMBERS,
    "views.change": STAFF,
}


def allows(role: str | None, action: str) -> bool:
    if role is None:
        return False
    if role == ADMIN:
        return True
    return role in POLICY[action]
