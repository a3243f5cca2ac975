"""Tables for the data model of DESIGN.md §3. JSON is JSON text on SQLite and JSONB on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER PRIMARY KEY is SQLite's rowid alias


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def on_this_database(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    """Alembic's `include_object` for a database of `dialect`: leave out of a comparison of the tables with
    this model what the model creates on other databases only (`.ddl_if(dialect=...)`: the key from tasks to
    imports is SQLite's alone, see migration 0011), which this database lacks on purpose."""

    def include(obj: Any, _name: str | None, _type: str, _reflected: bool, _compare_to: Any) -> bool:
        rule = getattr(obj, "_ddl_if", None)  # set by `ddl_if`; SQLAlchemy has no public reader for it
        if rule is None or rule.dialect is None:
            return True
        return dialect in ([rule.dialect] if isinstance(rule.dialect, str) else rule.dialect)

    return include


def _ts() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Mapped[Any]:
    return mapped_column(Id, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class InstanceSetting(Base):
    __tablename__ = "instance_settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    username: Mapped[str] = mapped_column(String(150), nullable=False, default="")
    first_name: Mapped[str] = mapped_column(String(150), nullable=False, default="")
    last_name: Mapped[str] = mapped_column(String(150), nullable=False, default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = _ts()
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A legacy token (`Token <key>`) or a personal access token (a JWT refresh token, `kind='pat'`)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = _fk("users.id")
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="legacy")
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = _ts()
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BrowserSession(Base):
    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = _fk("users.id")
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _ts()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Invite(Base):
    """A one-time link: `kind='setup'` makes the first admin, `kind='invite'` a new user."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _ts()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), nullable=False, index=True)
    created_at: Mapped[datetime] = _ts()


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    instructions: Mapped[str] = mapped_column(Text, nullable=False, default="")
    label_config: Mapped[str] = mapped_column(Text, nullable=False, default="<View></View>")
    config_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    settings: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()
    next_inner_id: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1)
    # Bumped by every write that changes the project's tasks, annotations or predictions, in the same
    # transaction: cached task counts are valid while it stands still.
    data_version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    # Bumped only by writes that add, remove or change tasks themselves (not by those of annotations and
    # predictions): a task listing that reads only the tasks' own values is valid while it stands still.
    tasks_version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")


class ProjectMember(Base):
    __tablename__ = "project_members"
    project_id: Mapped[int] = mapped_column(Id, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = _ts()
    __table_args__ = (Index("ix_project_members_user_id", "user_id"),)


class ImportRecord(Base):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = _fk("projects.id")
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="created")
    filenames: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    task_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    annotation_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    prediction_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    data_columns: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    errors: Mapped[list[Any]] = mapped_column(Json, nullable=False, default=list)
    created_at: Mapped[datetime] = _ts()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


_NAMED = text("updated_by IS NOT NULL")


class Task(Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    # Its foreign key exists on SQLite only (see `__table_args__`).
    project_id: Mapped[int] = mapped_column(Id, nullable=False)
    inner_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False)
    # PostgreSQL alone: `data` as the JSON text an import wrote, which the export copies (making `jsonb`'s text
    # is most of the server's work in an export). NULL on SQLite, whose `data` is that text, for tasks written
    # otherwise, and from the moment `data` is updated (a trigger, migration 0013). Read only by the export.
    data_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    meta: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    # The import that wrote the task; its foreign key exists on SQLite only (see `__table_args__`).
    import_id: Mapped[int | None] = mapped_column(Id, nullable=True, index=True)
    source_line: Mapped[int | None] = mapped_column(Integer)
    total_annotations: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    cancelled_annotations: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total_predictions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_labeled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Annotations wanted beyond the project's overlap: added one at a time when the annotators disagree.
    extra_overlap: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # How much the task's annotators agree (0..1; see `domain.agreement.task_value`); NULL below two annotators.
    agreement: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()
    # Who last edited the task; empty when no one did since it was imported (as in Label Studio).
    updated_by: Mapped[int | None] = mapped_column(Id, ForeignKey("users.id", ondelete="SET NULL"))
    __table_args__ = (
        UniqueConstraint("project_id", "inner_id"),
        # PostgreSQL would check this key row by row on every import's COPY; an import writes its record in the
        # same transaction as its tasks, and a record goes only with its project and its tasks (migration 0011).
        ForeignKeyConstraint(["import_id"], ["imports.id"], ondelete="SET NULL").ddl_if(dialect="sqlite"),
        # The same for the project (migration 0012): whatever writes tasks holds its project's row locked
        # (`get_project(..., for_update=True)`), and a project's tasks are deleted with it (`delete_project`).
        ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE").ddl_if(dialect="sqlite"),
        Index("ix_tasks_updated_by", "updated_by", sqlite_where=_NAMED, postgresql_where=_NAMED),
        Index("ix_tasks_project_id_id", "project_id", "id"),
        Index("ix_tasks_project_id_is_labeled", "project_id", "is_labeled", "id"),
        Index("ix_tasks_project_id_agreement", "project_id", "agreement", "id"),
        # SQLite: the task list's totals from the index alone, whatever other index leads with the project
        # (migration 0015).
        Index("ix_tasks_project_id_totals", "project_id", "total_annotations", "total_predictions").ddl_if(
            dialect="sqlite"
        ),
    )


class Annotation(Base):
    __tablename__ = "annotations"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[int] = _fk("tasks.id")
    project_id: Mapped[int] = _fk("projects.id")
    completed_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    result: Mapped[list[Any]] = mapped_column(Json, nullable=False, default=list)
    was_cancelled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    ground_truth: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    lead_time: Mapped[float | None] = mapped_column(Float)
    unique_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    config_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    parent_prediction_id: Mapped[int | None] = _fk("predictions.id", nullable=True, ondelete="SET NULL")
    parent_annotation_id: Mapped[int | None] = _fk("annotations.id", nullable=True, ondelete="SET NULL")
    review_status: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    import_id: Mapped[int | None] = _fk("imports.id", nullable=True, ondelete="SET NULL")
    last_action: Mapped[str | None] = mapped_column(String(32))
    # The order the annotator saw compared items in ({control name: [item, ...]}); results stay in config order.
    presentation: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()
    updated_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")


class Draft(Base):
    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[int] = _fk("tasks.id")
    annotation_id: Mapped[int | None] = _fk("annotations.id", nullable=True)
    user_id: Mapped[int] = _fk("users.id")
    result: Mapped[list[Any]] = mapped_column(Json, nullable=False, default=list)
    lead_time: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class Prediction(Base):
    __tablename__ = "predictions"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[int] = _fk("tasks.id")
    project_id: Mapped[int] = _fk("projects.id")
    model_version: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[list[Any]] = mapped_column(Json, nullable=False, default=list)
    import_id: Mapped[int | None] = _fk("imports.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class TaskLock(Base):
    __tablename__ = "task_locks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[int] = _fk("tasks.id")
    user_id: Mapped[int] = _fk("users.id")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    created_at: Mapped[datetime] = _ts()
    __table_args__ = (UniqueConstraint("task_id", "user_id"),)


class TaskAssignment(Base):
    """A task given to a person by a manager: type "AN" to annotate (only the people it is given to take it from
    the queue), "RE" to review. Label Studio Enterprise's manual distribution."""

    __tablename__ = "task_assignments"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    task_id: Mapped[int] = _fk("tasks.id")
    project_id: Mapped[int] = _fk("projects.id")
    user_id: Mapped[int] = _fk("users.id")
    type: Mapped[str] = mapped_column(String(2), nullable=False)
    created_at: Mapped[datetime] = _ts()
    __table_args__ = (UniqueConstraint("task_id", "user_id", "type"),)


class Review(Base):
    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    annotation_id: Mapped[int] = _fk("annotations.id")
    reviewer_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    accepted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    fixed_annotation_id: Mapped[int | None] = _fk("annotations.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _ts()


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = _fk("projects.id")
    task_id: Mapped[int | None] = _fk("tasks.id", nullable=True)
    annotation_id: Mapped[int | None] = _fk("annotations.id", nullable=True)
    author_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    is_resolved: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = _ts()


class Export(Base):
    __tablename__ = "exports"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = _fk("projects.id")
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    title: Mapped[str] = mapped_column(String(2048), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="created")
    options: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    files: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    md5: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    counters: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _ts()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True)
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    payload: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    progress: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    total: Mapped[int | None] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_after: Mapped[datetime] = _ts()
    created_at: Mapped[datetime] = _ts()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)


class MLBackend(Base):
    __tablename__ = "ml_backends"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = _fk("projects.id")
    url: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    auth_method: Mapped[str] = mapped_column(String(16), nullable=False, default="NONE")
    basic_auth_user: Mapped[str | None] = mapped_column(String(255))
    basic_auth_pass: Mapped[str | None] = mapped_column(String(255))
    extra_params: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    timeout: Mapped[float] = mapped_column(Float, nullable=False, default=100.0)
    is_interactive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    state: Mapped[str] = mapped_column(String(2), nullable=False, default="DI")
    error_message: Mapped[str | None] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    # As in Label Studio: true, the model version follows the model server; false, the user sets it.
    auto_update: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class Connector(Base):
    """A chat-completions endpoint a project calls (`services/connectors.py`). The API key is either the name of
    an environment variable (`api_key_env`) or stored encrypted (`api_key_encrypted`, see `connector_keys.py`)."""

    __tablename__ = "connectors"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = _fk("projects.id")
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    base_url: Mapped[str] = mapped_column(Text, nullable=False)
    model: Mapped[str] = mapped_column(String(255), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    api_key_env: Mapped[str | None] = mapped_column(String(255))
    api_key_encrypted: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    requests_per_minute: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    max_retries: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    timeout: Mapped[float] = mapped_column(Float, nullable=False, default=60.0)
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()
    __table_args__ = (UniqueConstraint("project_id", "name"),)


class SourceStorage(Base):
    """A local folder or an S3-compatible bucket whose objects a project imports as tasks
    (`services/storages.py`). `kind` is Label Studio's storage type name (`localfiles`, `s3`); the kind's own
    fields are in `settings`; secrets (an S3 secret key and session token) only in `secrets_encrypted`, a
    Fernet token of a JSON object (see `storage_secrets.py`). A sync runs as a job (`last_sync_job_id`);
    `sync_meta` keeps Label Studio's `meta` of the last sync (times, duration, counts)."""

    __tablename__ = "source_storages"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = _fk("projects.id")
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    regex_filter: Mapped[str | None] = mapped_column(Text)
    use_blob_urls: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    secrets_encrypted: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="initialized")
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sync_count: Mapped[int | None] = mapped_column(Integer)
    traceback: Mapped[str | None] = mapped_column(Text)
    last_sync_job_id: Mapped[int | None] = _fk("jobs.id", nullable=True, ondelete="SET NULL")
    sync_meta: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict, server_default="{}")
    created_by: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: Mapped[datetime] = _ts()
    updated_at: Mapped[datetime] = _ts()


class StorageObject(Base):
    """An object a source storage has imported (its key, relative to the storage): a later sync skips it,
    even when its tasks were deleted since."""

    __tablename__ = "storage_objects"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    storage_id: Mapped[int] = mapped_column(Id, ForeignKey("source_storages.id", ondelete="CASCADE"), nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    task_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = _ts()
    __table_args__ = (UniqueConstraint("storage_id", "key"),)


class Webhook(Base):
    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    send_payload: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    actions: Mapped[list[str]] = mapped_column(Json, nullable=False, default=list)
    headers: Mapped[dict[str, str]] = mapped_column(Json, nullable=False, default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = _ts()


class View(Base):
    """A saved data-manager view (`/api/dm/views/`): filters, ordering and columns."""

    __tablename__ = "views"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    project_id: Mapped[int] = _fk("projects.id")
    user_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    data: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    order: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _ts()


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Id, primary_key=True)
    actor_id: Mapped[int | None] = _fk("users.id", nullable=True, ondelete="SET NULL")
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    project_id: Mapped[int | None] = _fk("projects.id", nullable=True, ondelete="SET NULL")
    object_type: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    object_id: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(Json, nullable=False, default=dict)
    created_at: Mapped[datetime] = _ts()
