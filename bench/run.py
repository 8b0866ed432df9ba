"""The benchmark's command line: every scenario, repeated, with medians and SQL counts.

    python -m bench                      # SQLite (WAL, history full) in a temporary folder
    python -m bench --postgres postgresql://postgres@127.0.0.1:5432/test
    python -m bench --quick              # a smoke run of a few seconds

Scenarios (see bench/README.md): 1. straight-through instances in process through the services
layer; 2. the same through REST with N concurrent connections; 3. user-task round trips through
REST (start, query the task, complete); 4. SQL statements and commits per operation.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import counts, inprocess, load, machine
from bench.models import STRAIGHT_KEY
from bench.server import ServerProcess, deploy_models
from bench.stats import Rate

# The first bar of issue 2, on a 2-core machine, on SQLite (WAL, history full).
BAR_IN_PROCESS = 1000
BAR_REST_STRAIGHT = 500
BAR_REST_USER_TASK = 300


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

    def warmup(self, count: int) -> int:
        return max(20, count // 10)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        "--postgres",
        metavar="URL",
        help="also run scenarios 1, 3 and 4 on this PostgreSQL database, in a "
        "schema of their own that is dropped afterwards",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 3 repetitions of a tenth of the work"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a median misses its bar"
    )
    return parser


def _plan(args: argparse.Namespace) -> Plan:
    if args.quick:
        return Plan(
            3,
            max(1, args.instances // 10),
            max(1, args.requests // 10),
            max(1, args.round_trips // 10),
            args.connections,
        )
    return Plan(args.repeat, args.instances, args.requests, args.round_trips, args.connections)


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


# -- scenarios 2 and 3 ----------------------------------------------------------------------------
def _measure_rest(
    plan: Plan, server: ServerProcess, rate: Rate, count: int, operation: load.Operation
) -> None:
    load.drive(server.port, plan.connections, plan.warmup(count), operation)
    server_cpu: list[float] = []
    client_cpu: list[float] = []
    for _ in range(plan.repeat):
        cpu_before, own_before = server.cpu_seconds(), time.process_time()
        rate.add(count, load.drive(server.port, plan.connections, count, operation))
        cpu_after, own_after = server.cpu_seconds(), time.process_time()
        if cpu_before is not None and cpu_after is not None:
            server_cpu.append((cpu_after - cpu_before) / count * 1000)
        client_cpu.append((own_after - own_before) / count * 1000)
    if server_cpu:
        rate.notes.append(
            f"CPU per operation: server {statistics.median(server_cpu):.2f} ms, "
            f"load generator {statistics.median(client_cpu):.2f} ms"
        )


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


# -- scenario 4 -----------------------------------------------------------------------------------
def sql_counts(data_dir: Path, database_url: str | None) -> dict[str, counts.Cost]:
    engine = inprocess.make_engine(data_dir, database_url)
    try:
        definition_id = inprocess.deploy(engine)[STRAIGHT_KEY]
        found = {
            "straight start, services layer": counts.straight_in_process(engine, definition_id)
        }
        found.update(counts.rest_costs(engine))
        return found
    finally:
        engine.close()


def _count_lines(label: str, found: dict[str, counts.Cost]) -> list[str]:
    lines = [
        f"4. SQL per operation ({label})",
        f"   {'':<36} {'statements':>10} {'executed':>9} {'commits':>8} {'read-only tx':>13}",
    ]
    for name, cost in found.items():
        executed = "-" if cost.executed is None else f"{cost.executed:.1f}"
        lines.append(
            f"   {name:<36} {cost.statements:>10.1f} {executed:>9} {cost.commits:>8.1f} "
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


def run_postgres(plan: Plan, url: str, tmp: Path) -> tuple[list[Rate], list[str]]:
    with postgres_schema(url) as schema_url:
        rates = [in_process(plan, tmp / "pg-inprocess", schema_url, "PostgreSQL")]
    say(rates[-1].line())
    with postgres_schema(url) as schema_url:
        rates += rest(plan, tmp / "pg-server", schema_url, "PostgreSQL", straight=False)
    say(rates[-1].line())
    with postgres_schema(url) as schema_url:
        lines = _count_lines("PostgreSQL", sql_counts(tmp / "pg-counts", schema_url))
    return rates, lines


# -- the whole run --------------------------------------------------------------------------------
def run_sqlite(plan: Plan, tmp: Path) -> tuple[list[Rate], list[str]]:
    rates = [in_process(plan, tmp / "inprocess", None, "SQLite WAL")]
    say(rates[-1].line())
    for rate in rest(plan, tmp / "server", None, "SQLite WAL"):
        rates.append(rate)
        say(rate.line())
    return rates, _count_lines("SQLite", sql_counts(tmp / "counts", None))


def report(rates: list[Rate], count_lines: list[str]) -> None:
    say()
    say("Summary (median over repetitions, spread in brackets)")
    for rate in rates:
        say(rate.line())
        say(f"   {rate.in_order()}")
        for note in rate.notes:
            say(f"   {note}")
    say()
    for line in count_lines:
        say(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if min(args.repeat, args.instances, args.requests, args.round_trips, args.connections) < 1:
        parser.error("counts, repetitions and connections must be at least 1")
    plan = _plan(args)
    began = time.perf_counter()
    for line in machine.describe():
        say(line)
    say(
        f"plan:    {plan.repeat} repetitions; {plan.instances} in-process instances, "
        f"{plan.requests} REST starts, {plan.round_trips} REST round trips per repetition; "
        f"{plan.connections} connections; history level full"
    )
    say()
    with tempfile.TemporaryDirectory(prefix="bpmnflow-bench-") as folder:
        rates, count_lines = run_sqlite(plan, Path(folder))
        if args.postgres:
            pg_rates, pg_lines = run_postgres(plan, args.postgres, Path(folder))
            rates += pg_rates
            count_lines += pg_lines
    report(rates, count_lines)
    say()
    say(f"total time {time.perf_counter() - began:.0f} s")
    missed = [r for r in rates if r.bar is not None and r.median < r.bar]
    return 1 if missed and args.check else 0
