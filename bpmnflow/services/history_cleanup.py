"""History time-to-live and history cleanup.

A finished process instance's history may go once its removal time has passed (set when the
instance ended: end time + the definition's time-to-live), or, for instances that ended while
their definition had no time-to-live, once end time + the definition's current time-to-live has
passed.  Running instances, and instances whose root instance still runs, are never touched.

Cleanup is done by jobs, as in Camunda: ``POST /history/cleanup`` creates one job per degree of
parallelism, each owning a slice of the minutes of an hour (instances are dealt out by the
minute of their removal time), so that several nodes can clean side by side without meeting.
A job removes at most ``batch_size`` instances per run and plans its own next run: at once
while there is more to remove, later (10 s, doubling to an hour) while there is none, always
within the configured batch window.  Each run hands over to a successor job (a new row), since
the job executor removes a job once it has run; the successor carries the configuration on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import orjson

from bpmnflow.config import HistoryCleanupConfig
from bpmnflow.errors import BadUserRequestError, EngineError, NotFoundError
from bpmnflow.jobs.handlers import register
from bpmnflow.runtime import waiting
from bpmnflow.services import deletion, operation_log
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import ACTIVE, SUSPENDED, Job, ProcessDefinition

HANDLER = "history-cleanup"  # Camunda's HistoryCleanupJobHandler.TYPE
JOB_TYPE = "ever-living"  # neither a timer nor a message: Camunda's EverLivingJobEntity
RETRIES = 3
DAY_MS = 86_400_000
START_DELAY_MS = 10_000
MAX_DELAY_MS = 3_600_000


# -- history time-to-live ------------------------------------------------------------------------
def set_history_ttl(ctx: CommandContext, definition_id: str, ttl: int | None) -> None:
    """``PUT …/history-time-to-live``: days, or ``None`` (unless a time-to-live is enforced).

    Instances that have already ended keep the removal time they got; the cached definition is
    dropped so that instances ending from now on get the new one.
    """
    if ttl is not None and ttl < 0:
        raise BadUserRequestError("historyTimeToLive is not greater than or equal to 0")
    if ttl is None and ctx.engine.config.engine.enforce_history_time_to_live:
        raise EngineError("ENGINE-12018 History Time To Live (TTL) cannot be null. TTL is "
                          "necessary for the History Cleanup to work.")
    definition = ctx.uow.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFoundError(f"No process definition found with id '{definition_id}': "
                            "processDefinition is null")
    _log(ctx, "UpdateHistoryTimeToLive", "ProcessDefinition",
         [("historyTimeToLive", definition.history_ttl, ttl)],
         proc_def_id=definition.id, proc_def_key=definition.def_key)
    definition.history_ttl = ttl
    cache = ctx.engine.definitions
    ctx.post_commit.append(lambda: cache.evict(definition_id))


# -- batch window ----------------------------------------------------------------------------
def batch_window(settings: HistoryCleanupConfig, now_ms: int) -> tuple[int, int] | None:
    """The batch window ``now_ms`` lies in, else the next one; None when none is configured.

    A window whose end is not after its start runs over midnight into the next day.
    """
    if settings.batch_window_start is None or settings.batch_window_end is None:
        return None
    start_min = _minutes(settings.batch_window_start)
    end_min = _minutes(settings.batch_window_end)
    length = (end_min - start_min) % (24 * 60) or 24 * 60
    now = dt.datetime.fromtimestamp(now_ms / 1000, dt.UTC)
    midnight = int(dt.datetime(now.year, now.month, now.day, tzinfo=dt.UTC).timestamp() * 1000)
    for day in (-1, 0, 1):
        start = midnight + day * DAY_MS + start_min * 60_000
        end = start + length * 60_000
        if now_ms < end:
            return start, end
    raise AssertionError("unreachable: tomorrow's window always ends after now")


def within_window(settings: HistoryCleanupConfig, now_ms: int) -> bool:
    window = batch_window(settings, now_ms)
    return window is not None and window[0] <= now_ms < window[1]


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


# -- the cleanup jobs ----------------------------------------------------------------------------
@dataclass
class JobConfig:
    """What a cleanup job carries from run to run (Camunda's field names)."""

    immediatelyDue: bool = False  # noqa: N815 - the stored JSON keeps Camunda's names
    minuteFrom: int = 0  # noqa: N815
    minuteTo: int = 59  # noqa: N815
    countEmptyRuns: int = 0  # noqa: N815

    def dumps(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def of(cls, job: Job) -> JobConfig:
        try:
            return cls(**orjson.loads(job.handler_cfg or "{}"))
        except (orjson.JSONDecodeError, TypeError):
            return cls()


def minute_chunks(parallelism: int) -> list[tuple[int, int]]:
    """The hour's minutes dealt out to ``parallelism`` jobs, the last one taking the rest."""
    length = 60 // parallelism
    chunks = [(length * i, length * (i + 1) - 1) for i in range(parallelism)]
    chunks[-1] = (chunks[-1][0], 59)
    return chunks


def cleanup_jobs(ctx: CommandContext) -> list[Job]:
    return ctx.uow.select(Job, "handler_type = ? ORDER BY create_time, id", (HANDLER,))


def schedule(ctx: CommandContext, immediately_due: bool = True) -> Job | None:
    """``POST /history/cleanup``: create, reconfigure or (without a window) park the jobs."""
    settings = ctx.engine.config.history_cleanup
    if not settings.enabled:
        raise BadUserRequestError("History cleanup is disabled for this engine")
    jobs = cleanup_jobs(ctx)
    window = batch_window(settings, ctx.now)
    _log(ctx, "CreateHistoryCleanupJobs", "Job", [("immediatelyDue", None, immediately_due)])
    if not immediately_due and window is None:
        for job in jobs:  # nothing will run them: they wait for the next request
            job.suspension_state, job.due_date = SUSPENDED, None
        return jobs[0] if jobs else None
    due = ctx.now if immediately_due else window[0]  # type: ignore[index]
    chunks = minute_chunks(settings.degree_of_parallelism)
    for job in jobs[len(chunks):]:
        ctx.runtime.history.job_deleted(job)
        ctx.uow.remove(job)
    kept = jobs[:len(chunks)]
    for job, (low, high) in zip(kept, chunks, strict=False):
        job.handler_cfg = JobConfig(immediately_due, low, high).dumps()
        _reset(job, due)
    for low, high in chunks[len(kept):]:
        kept.append(_new_job(ctx, JobConfig(immediately_due, low, high), due))
    ctx.runtime.notify("job", due)
    return kept[0]


def schedule_at_start(ctx: CommandContext) -> Job | None:
    """What Camunda does when an engine starts with a batch window configured: make sure the
    cleanup jobs exist (waiting for the window).  Without a window, nothing is scheduled."""
    settings = ctx.engine.config.history_cleanup
    if not settings.enabled or batch_window(settings, ctx.now) is None or cleanup_jobs(ctx):
        return None
    return schedule(ctx, immediately_due=False)


def _reset(job: Job, due: int | None) -> None:
    job.due_date, job.suspension_state, job.retries = due, ACTIVE, RETRIES
    job.lock_owner = job.lock_expiration = None
    job.exception_message = job.exception_stacktrace = None


def _new_job(ctx: CommandContext, cfg: JobConfig, due: int | None) -> Job:
    job = waiting.new_job(ctx.runtime, None, None, HANDLER, cfg.dumps(), due_date=due,
                          job_type=JOB_TYPE, retries=RETRIES)
    return job


@register(HANDLER)
def run_cleanup(ctx: CommandContext, job: Job) -> None:
    """One run of a cleanup job: remove one chunk (if it may run now), plan the next run."""
    settings = ctx.engine.config.history_cleanup
    cfg = JobConfig.of(job)
    in_window = within_window(settings, ctx.now)
    removed = 0
    if settings.enabled and (cfg.immediatelyDue or in_window):
        removed = remove_expired(ctx, settings.batch_size, cfg.minuteFrom, cfg.minuteTo)
    _plan_next(ctx, cfg, removed, settings, in_window)


def _plan_next(ctx: CommandContext, cfg: JobConfig, removed: int,
               settings: HistoryCleanupConfig, in_window: bool) -> Job:
    """The successor: at once while chunks come back full; later, ever later, while the window
    lasts and there is nothing to do; at the next window's start; or parked without a window."""
    if removed >= settings.batch_size and (cfg.immediatelyDue or in_window):
        cfg.countEmptyRuns = 0
        return _new_job(ctx, cfg, ctx.now)
    cfg.immediatelyDue = False
    window = batch_window(settings, ctx.now)
    if window is None:
        cfg.countEmptyRuns = 0
        successor = _new_job(ctx, cfg, None)
        successor.suspension_state = SUSPENDED
        return successor
    if in_window:
        cfg.countEmptyRuns += 1
        due = ctx.now + min(START_DELAY_MS * 2 ** (cfg.countEmptyRuns - 1), MAX_DELAY_MS)
        if due < window[1]:
            return _new_job(ctx, cfg, due)
        window = batch_window(settings, window[1])  # type: ignore[assignment]
    cfg.countEmptyRuns = 0
    return _new_job(ctx, cfg, window[0])  # type: ignore[index]


# -- what goes -----------------------------------------------------------------------------------
_EXPIRED = (
    "SELECT t.id FROM bf_hi_procinst t WHERE t.end_time IS NOT NULL AND ("
    "(t.removal_time IS NOT NULL AND t.removal_time <= ?) OR (t.removal_time IS NULL AND "
    "EXISTS (SELECT 1 FROM bf_process_definition d WHERE d.id = t.proc_def_id AND "
    "d.history_ttl IS NOT NULL AND t.end_time + CAST(d.history_ttl AS BIGINT) * 86400000 <= ?)))"
    " AND NOT EXISTS (SELECT 1 FROM bf_execution e WHERE e.proc_inst_id = t.id)"
    " AND NOT EXISTS (SELECT 1 FROM bf_hi_procinst r WHERE r.id = t.root_proc_inst_id"
    " AND r.end_time IS NULL)")
_MINUTE = " AND (COALESCE(t.removal_time, t.end_time) / 60000) % 60 BETWEEN ? AND ?"
_ORDER = " ORDER BY COALESCE(t.removal_time, t.end_time), t.id LIMIT ?"


def expired_ids(ctx: CommandContext, limit: int, minute_from: int = 0,
                minute_to: int = 59) -> list[str]:
    """Up to ``limit`` finished instances whose history may go now, oldest first."""
    sql, params = _EXPIRED, [ctx.now, ctx.now]
    if (minute_from, minute_to) != (0, 59):
        sql += _MINUTE
        params += [minute_from, minute_to]
    return [row[0] for row in ctx.session.query(sql + _ORDER, [*params, limit])]


def remove_expired(ctx: CommandContext, limit: int, minute_from: int = 0,
                   minute_to: int = 59) -> int:
    """Remove one chunk of expired history; returns the number of process instances."""
    ids = expired_ids(ctx, limit, minute_from, minute_to)
    return deletion.delete_historic_instances(ctx, ids, with_operation_log=True) if ids else 0


# -- user operation log ----------------------------------------------------------------------
def _log(ctx: CommandContext, operation: str, entity: str,
         changes: list[tuple[str, object, object]], **refs: str | None) -> None:
    """As Camunda: ``UpdateHistoryTimeToLive`` of a ProcessDefinition (``historyTimeToLive``
    old -> new), ``CreateHistoryCleanupJobs`` of a Job (``immediatelyDue``)."""
    operation_log.write(ctx, operation, entity, operation_log.OPERATOR,
                        [operation_log.Change(*change) for change in changes], **refs)


__all__ = ["HANDLER", "JobConfig", "batch_window", "cleanup_jobs", "expired_ids",
           "minute_chunks", "remove_expired", "run_cleanup", "schedule", "schedule_at_start",
           "set_history_ttl", "within_window"]
