"""The benchmark's command line: every scenario, repeated, with medians and SQL counts.

    python -m bench                      # SQLite (WAL, history full) in a temporary folder
    python -m bench async                # one scenario (or several) alone
    python -m bench --postgres postgresql://postgres@127.0.0.1:5432/test
    python -m bench --quick              # a smoke run

Scenarios (see bench/README.md), by the name that runs them alone:
  inprocess  1. straight-through instances in process through the services layer
  rest       2. the same through REST with N concurrent connections;
             3. user-task round trips through REST (start, query the task, complete)
  external   5. external tasks fetched and completed through REST by several workers
             (maxTasks 1 and maxTasks 10)
  async      6. async continuations run by the server's own job executor
  timers     7. how late due timers fire (p50/p99)
  counts     4. SQL statements and commits per operation, for every scenario; when scenarios
             are named, scenario 4 counts only their operations
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import continuations, counts, external, inprocess, lateness, load, machine
from bench.models import ASYNC_KEY, ASYNC_RESOURCES, EXTERNAL_KEY, STRAIGHT_KEY
from bench.server import ServerProcess, deploy_models
from bench.stats import Latency, Rate

# The first bar of issue 2, on a 2-core machine, on SQLite (WAL, history full).
BAR_IN_PROCESS = 1000
BAR_REST_STRAIGHT = 500
BAR_REST_USER_TASK = 300
# The first bar of issue 4, same machine and database.
BAR_EXTERNAL_TASKS = 500
BAR_ASYNC_JOBS = 500
BAR_TIMER_P99_MS = 1000

SCENARIOS = ("inprocess", "rest", "external", "async", "timers", "counts")
Result = Rate | Latency


def _bar(bar: float, database_url: str | None) -> float | None:
    """The bars are set for the embedded default; PostgreSQL figures are shown without one."""
    return bar if database_url is None else None


@dataclass(frozen=True)
class Plan:
    repeat: int
    instances: int
    requests: int
    round_trips: int
    connections: int
    external_tasks: int
    workers: int
    async_instances: int
    timers: int
    scenarios: tuple[str, ...] = SCENARIOS

    def warmup(self, count: int) -> int:
        return max(20, count // 10)

    def runs(self, *names: str) -> bool:
        return any(name in self.scenarios for name in names)

    def counts(self) -> set[str]:
        """Which operations scenario 4 counts: those of the scenarios selected (all of them
        when ``counts`` is named)."""
        if "counts" in self.scenarios:
            return {"straight", "usertask", "external", "async"}
        return (
            ({"straight"} if self.runs("inprocess", "rest") else set())
            | ({"usertask"} if self.runs("rest") else set())
            | ({"external"} if self.runs("external") else set())
            | ({"async"} if self.runs("async") else set())
        )

    def describe(self) -> str:
        parts = []
        if self.runs("inprocess"):
            parts.append(f"{self.instances} in-process instances")
        if self.runs("rest"):
            parts.append(f"{self.requests} REST starts, {self.round_trips} REST round trips")
        if self.runs("external"):
            parts.append(f"{self.external_tasks} external tasks")
        if self.runs("async"):
            jobs = continuations.jobs_of(self.async_instances)
            parts.append(f"{jobs} async jobs ({self.async_instances} instances)")
        if self.runs("timers"):
            parts.append(f"{self.timers} timers")
        if not parts:
            return "SQL counts only; history level full"
        return (
            f"{self.repeat} repetitions; {', '.join(parts)} per repetition; "
            f"{self.connections} connections, {self.workers} external-task workers; "
            "history level full"
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help=f"run only these: {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per scenario (5)")
    parser.add_argument(
        "--instances",
        type=int,
        default=2000,
        help="straight-through instances per repetition, in process (2000)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=1500,
        help="straight-through starts per repetition, through REST (1500)",
    )
    parser.add_argument(
        "--round-trips",
        type=int,
        default=500,
        help="user-task round trips per repetition, through REST (500)",
    )
    parser.add_argument(
        "--connections", type=int, default=8, help="concurrent HTTP connections (8)"
    )
    parser.add_argument(
        "--external-tasks",
        type=int,
        default=1000,
        help="external tasks drained per repetition, for each maxTasks (1000)",
    )
    parser.add_argument("--workers", type=int, default=4, help="external-task workers (4)")
    parser.add_argument(
        "--async-instances",
        type=int,
        default=400,
        help="instances of the async chain per repetition, 5 jobs each (400)",
    )
    parser.add_argument(
        "--timers", type=int, default=300, help="timers started per repetition (300)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run the scenarios (all but 2) on this PostgreSQL database, each in a "
        "schema of its own that is dropped afterwards",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 3 repetitions of a tenth of the work"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a median misses its bar"
    )
    return parser


def _plan(args: argparse.Namespace) -> Plan:
    scenarios = tuple(args.scenarios) or SCENARIOS
    amounts = (
        args.instances,
        args.requests,
        args.round_trips,
        args.connections,
        args.external_tasks,
        args.workers,
        args.async_instances,
        args.timers,
    )
    if args.quick:
        tenth = [max(1, n // 10) for n in amounts]
        tenth[3], tenth[5] = args.connections, args.workers  # same concurrency, less work
        return Plan(3, *tenth, scenarios=scenarios)
    return Plan(args.repeat, *amounts, scenarios=scenarios)


def say(line: str = "") -> None:
    print(line, flush=True)


# -- scenario 1 -----------------------------------------------------------------------------------
def in_process(plan: Plan, data_dir: Path, database_url: str | None, label: str) -> Rate:
    rate = Rate(
        f"1. straight-through, in process ({label})",
        "instances/s",
        _bar(BAR_IN_PROCESS, database_url),
    )
    engine = inprocess.make_engine(data_dir, database_url)
    try:
        definition_id = inprocess.deploy(engine)[STRAIGHT_KEY]
        inprocess.run_straight(engine, definition_id, plan.warmup(plan.instances))
        for _ in range(plan.repeat):
            rate.add(plan.instances, inprocess.run_straight(engine, definition_id, plan.instances))
    finally:
        engine.close()
    return rate


# -- CPU per operation ----------------------------------------------------------------------------
@dataclass
class CpuMeter:
    """Server and load-generator CPU per operation, over the timed parts of the repetitions."""

    server: ServerProcess
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)

    def measure(self, operations: int, work: Callable[[], float]) -> float:
        """Run ``work`` (which returns its wall time) and note the CPU it cost per operation."""
        cpu_before, own_before = self.server.cpu_seconds(), time.process_time()
        seconds = work()
        cpu_after, own_after = self.server.cpu_seconds(), time.process_time()
        if cpu_before is not None and cpu_after is not None:
            self.server_ms.append((cpu_after - cpu_before) / operations * 1000)
        self.client_ms.append((own_after - own_before) / operations * 1000)
        return seconds

    def note(self, what: str = "operation") -> str | None:
        if not self.server_ms:
            return None
        return (
            f"CPU per {what}: server {statistics.median(self.server_ms):.2f} ms, "
            f"load generator {statistics.median(self.client_ms):.2f} ms"
        )


def _add_note(result: Result, note: str | None) -> None:
    if note is not None:
        result.notes.append(note)


# -- scenarios 2 and 3 ----------------------------------------------------------------------------
def _measure_rest(
    plan: Plan, server: ServerProcess, rate: Rate, count: int, operation: load.Operation
) -> None:
    load.drive(server.port, plan.connections, plan.warmup(count), operation)
    cpu = CpuMeter(server)
    for _ in range(plan.repeat):
        seconds = cpu.measure(
            count, lambda: load.drive(server.port, plan.connections, count, operation)
        )
        rate.add(count, seconds)
    _add_note(rate, cpu.note())


def rest(
    plan: Plan, data_dir: Path, database_url: str | None, label: str, straight: bool = True
) -> list[Rate]:
    rates = []
    with ServerProcess(data_dir, database_url) as server:
        deploy_models(server.port)
        if straight:
            rate = Rate(
                f"2. straight-through, REST, {plan.connections} conns ({label})",
                "instances/s",
                _bar(BAR_REST_STRAIGHT, database_url),
            )
            _measure_rest(plan, server, rate, plan.requests, load.start_straight)
            rates.append(rate)
        rate = Rate(
            f"3. user-task round trip, REST, {plan.connections} conns ({label})",
            "round trips/s",
            _bar(BAR_REST_USER_TASK, database_url),
        )
        _measure_rest(plan, server, rate, plan.round_trips, load.user_task_round_trip)
        rates.append(rate)
    return rates


# -- scenario 5 -----------------------------------------------------------------------------------
def external_tasks(plan: Plan, data_dir: Path, database_url: str | None, label: str) -> list[Rate]:
    """Both batch sizes on one server, alternating per repetition, so that neither runs on a
    database grown by all the repetitions of the other."""
    count, sizes = plan.external_tasks, (1, 10)
    rates = {
        size: Rate(
            f"5. external tasks, maxTasks {size}, {plan.workers} workers ({label})",
            "tasks/s",
            _bar(BAR_EXTERNAL_TASKS, database_url),
        )
        for size in sizes
    }
    with ServerProcess(data_dir, database_url) as server:
        deploy_models(server.port, ASYNC_RESOURCES)
        meters = {size: CpuMeter(server) for size in sizes}
        for size in sizes:
            external.create_backlog(server.port, plan.connections, plan.warmup(count))
            external.drain(server.port, plan.workers, plan.warmup(count), size)
        for _ in range(plan.repeat):
            for size in sizes:
                external.create_backlog(server.port, plan.connections, count)
                seconds = meters[size].measure(
                    count, lambda s=size: external.drain(server.port, plan.workers, count, s)
                )
                rates[size].add(count, seconds)
    for size in sizes:
        _add_note(rates[size], meters[size].note("task (fetch share and complete)"))
    return list(rates.values())


# -- scenario 6 -----------------------------------------------------------------------------------
def async_jobs(plan: Plan, data_dir: Path, database_url: str | None, label: str) -> Rate:
    rate = Rate(
        f"6. async continuations, job executor ({label})",
        "jobs/s",
        _bar(BAR_ASYNC_JOBS, database_url),
    )
    instances = plan.async_instances
    jobs = continuations.jobs_of(instances)
    with ServerProcess(data_dir, database_url) as server:
        deploy_models(server.port, ASYNC_RESOURCES)
        continuations.hold_and_start(server.port, plan.connections, plan.warmup(instances))
        continuations.release_and_wait(server.port)
        cpu = CpuMeter(server)
        for _ in range(plan.repeat):
            continuations.hold_and_start(server.port, plan.connections, instances)
            rate.add(jobs, cpu.measure(jobs, lambda: continuations.release_and_wait(server.port)))
    _add_note(rate, cpu.note("job (with the count polls)"))
    return rate


# -- scenario 7 -----------------------------------------------------------------------------------
def timer_lateness(plan: Plan, data_dir: Path, database_url: str | None, label: str) -> Latency:
    result = Latency(
        f"7. timer lateness, {plan.timers} timers of 1-3 s ({label})",
        _bar(BAR_TIMER_P99_MS, database_url),
    )
    spans = []
    with ServerProcess(data_dir, database_url) as server:
        deploy_models(server.port, ASYNC_RESOURCES)
        for _ in range(plan.repeat):
            began = time.perf_counter()
            given = lateness.start_timers(server.port, plan.connections, plan.timers)
            spans.append(time.perf_counter() - began)
            result.add(lateness.lateness(server.port, given))
    result.notes.append(f"the timers of a repetition were started within {max(spans):.2f} s")
    return result


# -- scenario 4 -----------------------------------------------------------------------------------
def sql_counts(plan: Plan, data_dir: Path, database_url: str | None) -> dict[str, counts.Cost]:
    groups = plan.counts()
    engine = inprocess.make_engine(data_dir, database_url)
    try:
        found: dict[str, counts.Cost] = {}
        if groups & {"straight", "usertask"}:
            definition_id = inprocess.deploy(engine)[STRAIGHT_KEY]
            found["straight start, services layer"] = counts.straight_in_process(
                engine, definition_id
            )
            rest_costs = counts.rest_costs(engine)
            if "usertask" not in groups:
                rest_costs = {k: v for k, v in rest_costs.items() if "user" not in k}
            found.update(rest_costs)
        if groups & {"external", "async"}:
            ids = inprocess.deploy(engine, ASYNC_RESOURCES)
            if "external" in groups:
                found.update(counts.external_costs(engine, ids[EXTERNAL_KEY]))
            if "async" in groups:
                found.update(counts.async_job_costs(engine, ids[ASYNC_KEY]))
        return found
    finally:
        engine.close()


def _count_lines(label: str, found: dict[str, counts.Cost]) -> list[str]:
    if not found:
        return []
    lines = [
        f"4. SQL per operation ({label})",
        f"   {'':<46} {'statements':>10} {'executed':>9} {'commits':>8} {'read-only tx':>13}",
    ]
    for name, cost in found.items():
        executed = "-" if cost.executed is None else f"{cost.executed:.1f}"
        lines.append(
            f"   {name:<46} {cost.statements:>10.1f} {executed:>9} {cost.commits:>8.1f} "
            f"{cost.reads:>13.1f}"
        )
    return lines


# -- PostgreSQL -----------------------------------------------------------------------------------
@contextlib.contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on ``url`` for one engine, dropped afterwards whatever happens."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, connect_timeout=5) as conn:
        conn.execute("SELECT 1")
    try:
        yield f"{url}{'&' if '?' in url else '?'}schema={schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# -- the whole run --------------------------------------------------------------------------------
def run_on(
    plan: Plan, tmp: Path, database_url: str | None, label: str
) -> tuple[list[Result], list[str]]:
    """Every selected scenario on one kind of database, each on a fresh database (a schema of
    its own on PostgreSQL) and, for REST, its own server."""
    postgres = database_url is not None
    prefix = "pg-" if postgres else ""
    results: list[Result] = []

    @contextlib.contextmanager
    def database() -> Iterator[str | None]:
        if database_url is None:
            yield None
        else:
            with postgres_schema(database_url) as schema_url:
                yield schema_url

    def show(new: Sequence[Result]) -> None:
        for result in new:
            results.append(result)
            say(result.line())

    steps: list[tuple[str, Callable[[Path, str | None], Sequence[Result]]]] = [
        ("inprocess", lambda d, u: [in_process(plan, d, u, label)]),
        ("rest", lambda d, u: rest(plan, d, u, label, straight=not postgres)),
        ("external", lambda d, u: external_tasks(plan, d, u, label)),
        ("async", lambda d, u: [async_jobs(plan, d, u, label)]),
        ("timers", lambda d, u: [timer_lateness(plan, d, u, label)]),
    ]
    for name, step in steps:
        if plan.runs(name):
            with database() as url:
                show(step(tmp / f"{prefix}{name}", url))
    with database() as url:
        lines = _count_lines(label.split()[0], sql_counts(plan, tmp / f"{prefix}counts", url))
    return results, lines


def report(results: list[Result], count_lines: list[str]) -> None:
    if results:
        say()
        say("Summary (median over repetitions, spread in brackets)")
    for result in results:
        say(result.line())
        say(f"   {result.in_order()}")
        for note in result.notes:
            say(f"   {note}")
    say()
    for line in count_lines:
        say(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    amounts = (
        args.repeat,
        args.instances,
        args.requests,
        args.round_trips,
        args.connections,
        args.external_tasks,
        args.workers,
        args.async_instances,
        args.timers,
    )
    if min(amounts) < 1:
        parser.error("counts, repetitions, connections and workers must be at least 1")
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    plan = _plan(args)
    began = time.perf_counter()
    for line in machine.describe():
        say(line)
    say(f"plan:    {plan.describe()}")
    say()
    with tempfile.TemporaryDirectory(prefix="bpmnflow-bench-") as folder:
        results, count_lines = run_on(plan, Path(folder), None, "SQLite WAL")
        if args.postgres:
            pg_results, pg_lines = run_on(plan, Path(folder), args.postgres, "PostgreSQL")
            results += pg_results
            count_lines += pg_lines
    report(results, count_lines)
    say()
    say(f"total time {time.perf_counter() - began:.0f} s")
    say(f"load after the run: {machine.load()}")
    missed = [r for r in results if r.misses()]
    return 1 if missed and args.check else 0
