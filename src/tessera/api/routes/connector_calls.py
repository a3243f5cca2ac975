"""Calls through connectors: generation and judge jobs, their state, and the editor's live chat call.

`POST /api/projects/{id}/connectors/{cid}/generate` and `.../judge` queue a job and answer 201 with it;
`GET /api/projects/{id}/generations/{job_id}` reads either kind; `POST /api/projects/{id}/chat-completions`
answers one chat turn.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from tessera.api.context import Ctx, context, context_router, json_body
from tessera.api.schemas import connector_job_read
from tessera.services import generation_jobs, judge_jobs, live_chat
from tessera.services.chat_calls import ChatCaller
from tessera.services.connector_jobs import read_connector_job

router = context_router(tags=["connectors"])
KINDS = (generation_jobs.KIND, judge_jobs.KIND)


def chat_caller(request: Request) -> ChatCaller:
    """The app's one caller, whose rate limits every request and job of this process share."""
    return request.app.state.chat


@router.post("/api/projects/{project_id}/connectors/{connector_id}/generate", status_code=201)
def generate(project_id: int, connector_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    job = generation_jobs.start_generation(ctx.session, ctx.actor, project_id, connector_id, body)
    ctx.commit()
    ctx.request.app.state.jobs.wake()
    return connector_job_read(job, None)


@router.post("/api/projects/{project_id}/connectors/{connector_id}/judge", status_code=201)
def judge(project_id: int, connector_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    job = judge_jobs.start_judging(ctx.session, ctx.actor, project_id, connector_id, body)
    ctx.commit()
    ctx.request.app.state.jobs.wake()
    return connector_job_read(job, None)


@router.get("/api/projects/{project_id}/generations/{job_id}")
def read_job(project_id: int, job_id: int, ctx: Ctx = Depends(context)) -> dict:
    state = read_connector_job(ctx.session, ctx.actor, project_id, job_id, KINDS, ctx.request.app.state.jobs)
    return connector_job_read(state.job, state.progress)


@router.post("/api/projects/{project_id}/chat-completions")
def chat_completions(
    project_id: int,
    body: Any = Depends(json_body),
    ctx: Ctx = Depends(context),
    caller: ChatCaller = Depends(chat_caller),
) -> dict:
    call = live_chat.prepare_live_call(ctx.session, ctx.actor, project_id, body)
    ctx.session.rollback()  # no transaction (on SQLite, no write slot) is held while the model answers
    return live_chat.call_live(caller, call)
