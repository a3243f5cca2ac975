"""The `tessera` command: start the server, manage the database, users, tokens, projects, import, export."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tessera.cli.progress import ProgressReader, download_bar, progress_bar
from tessera.db.engine import Database
from tessera.db.migrate import upgrade_database
from tessera.domain.errors import TesseraError
from tessera.services.actors import Actor
from tessera.services.secrets import ensure_instance_secret
from tessera.settings import Settings, load_settings

if TYPE_CHECKING:
    from tessera.services import imports

# Each command imports the services it uses itself: the others' imports (the HTTP client, the import
# readers, the exports' writers) would add a third of a second to every command, a 1,000,000-task export's too.

app = typer.Typer(help="Tessera: build ML datasets with people in the loop.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
project_app = typer.Typer(help="Projects.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(project_app, name="project")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data folder (default ~/.tessera or TESSERA_DATA_DIR).")
]


def _open(data_dir: Path | None) -> tuple[Settings, Database]:
    settings = load_settings(data_dir=data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    upgrade_database(db.engine)
    with db.writer() as session:
        ensure_instance_secret(session)
        session.commit()
    return settings, db


def _fail(exc: TesseraError) -> None:
    typer.echo(f"error: {exc.detail}", err=True)
    for field, messages in exc.field_errors.items():
        for message in messages[:20]:
            typer.echo(f"  {field}: {message}", err=True)
    raise typer.Exit(1)


@app.command()
def start(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(help="Server worker processes.")] = 1,
) -> None:
    """Migrate the database and serve the web app and API."""
    # The web stack (uvicorn, FastAPI, every route and what they import) takes over a second to import, and
    # only this command needs it: the other commands start that much faster, the test suite's ~40 servers too.
    import uvicorn

    from tessera.server import create_app, ready_to_serve
    from tessera.services import invites

    settings, db = _open(data_dir)
    with db.writer() as session:
        key = invites.create_setup_link_key(session)
        session.commit()
    base = f"http://{host}:{port}"
    if key:
        typer.echo(f"No user exists yet. Create the first admin here (valid 24 hours, once): {base}/user/setup/{key}")
    typer.echo(f"Tessera on {base} (data in {settings.data_dir})")
    options = {"host": host, "port": port, "log_level": "warning", "access_log": False}
    if workers > 1:  # each worker process builds its own app from the environment
        os.environ["TESSERA_DATA_DIR"] = str(settings.data_dir)
        db.engine.dispose()
        uvicorn.run("tessera.server:app_from_environment", factory=True, workers=workers, **options)
    else:
        uvicorn.run(ready_to_serve(create_app(settings, database=db)), **options)


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Apply database migrations."""
    settings, db = _open(data_dir)
    typer.echo(f"database is up to date ({settings.database_url.split('://')[0]})")
    db.dispose()


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="E-mail, also the login.")],
    password: Annotated[str, typer.Option(help="Password (8 characters or more).")],
    admin: Annotated[bool, typer.Option("--admin", help="Make an instance admin.")] = False,
    first_name: str = "",
    last_name: str = "",
    data_dir: DataDir = None,
) -> None:
    """Create a user."""
    from tessera.services import users

    _settings, db = _open(data_dir)
    with db.writer() as session:
        try:
            user = users.create_user(
                session,
                None,
                email=email,
                password=password,
                is_admin=admin,
                first_name=first_name,
                last_name=last_name,
            )
        except TesseraError as exc:
            _fail(exc)
        session.commit()
        typer.echo(f"created user {user.id} {user.email}{' (admin)' if admin else ''}")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user's e-mail.")], name: str = "cli", data_dir: DataDir = None
) -> None:
    """Make a new API token for a user; the token is the last line printed."""
    from tessera.services import tokens, users

    _settings, db = _open(data_dir)
    with db.writer() as session:
        user = users.find_user_by_email(session, email)
        if user is None:
            typer.echo(f"error: no user with e-mail {email}", err=True)
            raise typer.Exit(1)
        issued = tokens.create_token(session, user.id, name=name)
        session.commit()
    typer.echo(f"token for {email} (shown once; use it as 'Authorization: Token <key>'):")
    typer.echo(issued.key)


@project_app.command("create")
def project_create(
    title: Annotated[str, typer.Option(help="Project title.")],
    config: Annotated[Path, typer.Option(help="Labeling config XML file.", exists=True)],
    description: str = "",
    manager: Annotated[str | None, typer.Option(help="E-mail of the manager.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a project from a labeling config file."""
    from tessera.services import projects, users

    _settings, db = _open(data_dir)
    with db.writer() as session:
        actor = Actor.system()
        if manager:
            user = users.find_user_by_email(session, manager)
            if user is None:
                typer.echo(f"error: no user with e-mail {manager}", err=True)
                raise typer.Exit(1)
            actor = Actor(user.id, user.email, user.is_admin)
        try:
            project = projects.create_project(
                session,
                actor,
                {"title": title, "description": description, "label_config": config.read_text(encoding="utf-8")},
            )
        except TesseraError as exc:
            _fail(exc)
        session.commit()
        typer.echo(f"created project {project.id}: {project.title}")


@app.command("import")
def import_files(
    project: int,
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="FILES_OR_URLS...",
            help="Files, or http(s) URLs fetched through the guarded outbound client (TESSERA_OUTBOUND_ALLOWLIST).",
        ),
    ],
    dedupe: Annotated[bool, typer.Option(help="Skip tasks whose data is already in the project.")] = False,
    annotator_map: Annotated[
        Path | None,
        typer.Option(
            help="JSON naming the e-mail of each user id in the annotations' completed_by: {id: email} or a list "
            "of users with id and email (Label Studio's /api/users answer). Annotations are credited to the "
            "project members with those e-mails."
        ),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Import task files (JSON, JSONL, CSV, TSV, TXT, gzipped too, Parquet, ZIP) into a project: all or nothing.
    URLs are downloaded first, each with its own progress bar; nothing is imported unless every one arrives."""
    from tessera.services import imports
    from tessera.services.import_authors import read_annotator_map

    urls = [s for s in sources if s.lower().startswith(("http://", "https://"))]
    files = [Path(s) for s in sources if s not in urls]
    missing = [str(f) for f in [*files, *([annotator_map] if annotator_map else [])] if not f.is_file()]
    if missing:
        typer.echo(f"error: no such file: {', '.join(missing)}", err=True)
        raise typer.Exit(1)
    authors = None
    if annotator_map is not None:
        try:
            authors = read_annotator_map(annotator_map.read_bytes())
        except TesseraError as exc:
            _fail(TesseraError(f"{annotator_map}: {exc.detail}"))
    settings, db = _open(data_dir)
    with ExitStack() as stack:
        fetched = [stack.enter_context(_downloaded(settings, url)) for url in urls]
        sizes = [f.stat().st_size for f in files] + [os.fstat(f.stream.fileno()).st_size for f in fetched]
        with db.writer() as session, progress_bar("importing", sum(sizes)) as advance:
            named = [(f.name, open(f, "rb")) for f in files] + [(f.filename, f.stream) for f in fetched]  # noqa: SIM115
            handles = [ProgressReader(h, advance) for _name, h in named]
            try:
                summary = imports.import_tasks(
                    session,
                    Actor.system(),
                    project,
                    keep_ids=False,
                    dedupe=dedupe,
                    annotator_map=authors,
                    files=[imports.ImportSource(name, h) for (name, _raw), h in zip(named, handles, strict=True)],
                )
                session.commit()
            except TesseraError as exc:
                session.rollback()
                _fail(exc)
            finally:
                for h in handles:
                    h.close()
    skipped = f", skipped {summary.duplicates} duplicates" if dedupe else ""
    typer.echo(
        f"imported {summary.task_count} tasks, {summary.annotation_count} annotations, "
        f"{summary.prediction_count} predictions in {summary.duration:.2f} s{skipped}"
    )


@contextmanager
def _downloaded(settings: Settings, url: str) -> Iterator[imports.ImportSource]:
    """The file at `url`, fetched as the server's URL imports are (`remote_files`: a temporary file), with a
    progress bar while it downloads."""
    from tessera.net.outbound import OutboundClient
    from tessera.services import remote_files

    client = OutboundClient(settings.outbound_allowlist)
    with ExitStack() as stack:
        stack.callback(client.close)
        try:
            with download_bar(f"downloading {url}") as fetched:
                source = stack.enter_context(
                    remote_files.downloaded(client, url, max_bytes=settings.max_body_bytes, progress=fetched)
                )
        except TesseraError as exc:
            _fail(exc)
        yield source


@app.command("export")
def export(
    project: int,
    format: Annotated[
        str, typer.Option("--format", help="Export format: JSON, JSON_MIN, CSV, TSV, JSONL, PARQUET, COCO, ...")
    ] = "JSON",
    out: Annotated[Path, typer.Option("--out", help="Output file.")] = Path("export.json"),
    all_tasks: Annotated[bool, typer.Option(help="Include tasks without annotations.")] = True,
    task: Annotated[list[int] | None, typer.Option("--task", help="Export only this task (repeatable).")] = None,
    annotator: Annotated[
        list[int] | None, typer.Option("--annotator", help="Keep only this user's annotations (repeatable).")
    ] = None,
    ground_truth: Annotated[bool, typer.Option("--ground-truth", help="Keep only ground truth annotations.")] = False,
    reviewed: Annotated[
        str | None, typer.Option("--reviewed", help="only: annotations a review accepted; exclude: all others.")
    ] = None,
    dpo_format: Annotated[
        str | None, typer.Option("--dpo-format", help="Training formats: standard or conversational.")
    ] = None,
    prompt_field: Annotated[
        str | None, typer.Option("--prompt-field", help="Training formats: the data field with the prompt.")
    ] = None,
    consensus: Annotated[
        str | None, typer.Option("--consensus", help="JSON, JSONL: add majority_vote or dawid_skene consensus.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Export a project to a file, written atomically."""
    from tessera.services import exports

    _settings, db = _open(data_dir)
    try:
        kept = exports.AnnotationFilter(
            frozenset({"ground_truth"}) if ground_truth else frozenset(),
            tuple(annotator) if annotator else None,
            exports.check_reviewed(reviewed),
        )
    except TesseraError as exc:
        _fail(exc)
    with db.reader() as session:
        try:
            result = exports.export_to_path(
                session,
                Actor.system(),
                project,
                format,
                out.resolve(),
                only_labeled=not all_tasks,
                ids=task or None,
                annotations=kept,
                options={"dpo_format": dpo_format, "prompt_field": prompt_field, "consensus": consensus},
            )
        except TesseraError as exc:
            _fail(exc)
    typer.echo(f"exported {result.task_count} tasks as {format.upper()} to {out} (md5 {result.md5})")
