"""Where the time goes: ``python -m bench.profile`` (in process) or ``... rest`` (the server).

    python -m bench.profile                 # scenario 1 in process, under cProfile
    python -m bench.profile rest            # scenario 3: the server profiled in a child process
    python -m bench.profile rest --top 40 --straight
    python -m bench.profile external --max-tasks 10   # scenario 5: the server draining tasks
    python -m bench.profile async        # scenario 6: the server's job executor at work

Profiles measure CPU time per thread (``time.thread_time``), so threads waiting for work or for
the write lock cost nothing, and the shares add up to the CPU the server really spends.  cProfile
charges its own overhead to Python functions, so Python code looks somewhat dearer against C code
(SQLite, JSON) than it is; rank matters more than exact share.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench import continuations, external, inprocess, load
from bench.models import ASYNC_CHAIN, ASYNC_RESOURCES, STRAIGHT_KEY
from bench.server import ServerProcess, deploy_models, free_port, wait_ready

_REPO = str(Path(__file__).resolve().parents[1])


# -- reporting ------------------------------------------------------------------------------------
def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name  # a builtin, e.g. {method 'commit' of 'sqlite3.Connection' objects}
    short = filename.replace(_REPO + os.sep, "")
    if "site-packages" in short:
        short = short.split("site-packages" + os.sep, 1)[1]
    elif "lib" + os.sep + "python" in short:
        short = "stdlib/" + Path(short).name
    return f"{name}  ({short}:{line})"


def hotspots(stats: pstats.Stats, top: int) -> list[str]:
    """The functions with the most own time, each with its share of all profiled time."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in entries.values()) or 1.0
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    lines = [f"{'share':>6} {'own s':>7} {'incl s':>7} {'calls':>8}  function"]
    for key, (_, calls, own, inclusive, _) in ranked:
        lines.append(f"{own / total:>6.1%} {own:>7.3f} {inclusive:>7.3f} {calls:>8}  {_where(key)}")
    lines.append(f"total profiled CPU time: {total:.2f} s")
    return lines


def _area(key: tuple[str, int, str]) -> str:
    """The layer a function belongs to: a bpmnflow package, a library, or the database driver."""
    filename, _, name = key
    if filename == "~":
        return (
            "sqlite3/psycopg (driver, C)"
            if "sqlite3" in name or "psycopg" in name
            else "builtins (C)"
        )
    path = Path(filename).parts
    if "bpmnflow" in path:
        rest = path[path.index("bpmnflow") + 1 :]
        return f"bpmnflow/{rest[0]}" if len(rest) > 1 else "bpmnflow"
    if "site-packages" in path:
        return path[path.index("site-packages") + 1]
    if "bench" in path:
        return "bench"
    return f"stdlib/{Path(filename).stem}"


def areas(stats: pstats.Stats, top: int = 12) -> list[str]:
    """Own time summed per layer: which part of the stack to look at first."""
    entries = stats.stats  # type: ignore[attr-defined]
    sums: dict[str, float] = {}
    for key, (_, _, own, _, _) in entries.items():
        sums[_area(key)] = sums.get(_area(key), 0.0) + own
    total = sum(sums.values()) or 1.0
    ranked = sorted(sums.items(), key=lambda item: item[1], reverse=True)[:top]
    return [f"{own / total:>6.1%} {own:>7.3f}  {area}" for area, own in ranked]


# -- in process -----------------------------------------------------------------------------------
def profile_in_process(instances: int, top: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="bpmnflow-profile-") as folder:
        engine = inprocess.make_engine(Path(folder))
        try:
            definition_id = inprocess.deploy(engine)[STRAIGHT_KEY]
            inprocess.run_straight(engine, definition_id, max(20, instances // 10))
            profiler = cProfile.Profile(time.thread_time)
            profiler.enable()
            seconds = inprocess.run_straight(engine, definition_id, instances)
            profiler.disable()
        finally:
            engine.close()
    head = f"scenario 1 in process: {instances} instances, {instances / seconds:,.0f}/s profiled"
    stats = pstats.Stats(profiler)
    return [head, "", "by layer:", *areas(stats), "", "by function:", *hotspots(stats, top)]


# -- the server -----------------------------------------------------------------------------------
class _AllThreads:
    """One CPU-time profiler per thread, started as each thread starts."""

    def __init__(self) -> None:
        self.profilers: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def _start(self, *_: object) -> None:
        profiler = cProfile.Profile(time.thread_time)
        with self._lock:
            self.profilers.append(profiler)
        profiler.enable()  # replaces this one-shot hook for the rest of the thread's life

    def install(self) -> None:
        threading.setprofile(self._start)

    def stats(self) -> pstats.Stats:
        threading.setprofile(None)  # type: ignore[arg-type]
        merged = pstats.Stats(self.profilers[0])
        for profiler in self.profilers[1:]:
            merged.add(profiler)
        return merged


def serve_profiled(port: int, data_dir: str, out: str, jobs: bool = False) -> None:
    """The child: the REST app on uvicorn in a thread (and the job executor when ``jobs``),
    profiled until stdin closes."""
    import uvicorn

    from bpmnflow.api.app import create_app

    profile = _AllThreads()
    profile.install()
    engine = inprocess.make_engine(Path(data_dir))
    if jobs:
        engine.start_job_executor()
    config = uvicorn.Config(
        create_app(engine), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn")
    thread.start()
    sys.stdin.read()  # the parent closes our stdin when its load is done
    server.should_exit = True
    thread.join(timeout=30)
    engine.close()
    profile.stats().dump_stats(out)


@contextlib.contextmanager
def profiled_server(folder: str, jobs: bool = False) -> Iterator[tuple[int, Path]]:
    """A profiled server on the data in ``folder``; (its port, where its profile will be once
    the block has ended)."""
    out, port = Path(folder) / "server.prof", free_port()
    command = [sys.executable, "-m", "bench.profile", "_serve", str(port), folder, str(out)]
    child = subprocess.Popen(
        [*command, *(["jobs"] if jobs else [])], stdin=subprocess.PIPE, cwd=_REPO
    )
    try:
        wait_ready(child, port)
        yield port, out
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=60)


def _report(head: str, out: Path, top: int) -> list[str]:
    stats = pstats.Stats(str(out))
    return [head, "", "by layer:", *areas(stats), "", "by function:", *hotspots(stats, top)]


def profile_rest(round_trips: int, connections: int, straight: bool, top: int) -> list[str]:
    operation = load.start_straight if straight else load.user_task_round_trip
    with tempfile.TemporaryDirectory(prefix="bpmnflow-profile-") as folder:
        with profiled_server(folder) as (port, out):
            deploy_models(port)
            load.drive(port, connections, max(20, round_trips // 10), operation)
            seconds = load.drive(port, connections, round_trips, operation)
        what = "straight-through starts" if straight else "user-task round trips"
        head = (
            f"REST server: {round_trips} {what} over {connections} connections, "
            f"{round_trips / seconds:,.0f}/s while profiled (the profile covers the server's "
            f"whole life: start-up, deployment and warm-up too)"
        )
        return _report(head, out, top)


def profile_external(tasks: int, workers: int, max_tasks: int, top: int) -> list[str]:
    """Scenario 5: the backlog is created by an unprofiled server first, so that the profile
    shows the drain (and the server's start-up) only."""
    with tempfile.TemporaryDirectory(prefix="bpmnflow-profile-") as folder:
        with ServerProcess(Path(folder)) as server:
            deploy_models(server.port, ASYNC_RESOURCES)
            external.create_backlog(server.port, 8, tasks)
        with profiled_server(folder) as (port, out):
            seconds = external.drain(port, workers, tasks, max_tasks)
        head = (
            f"REST server: {tasks} external tasks fetched (maxTasks {max_tasks}) and completed "
            f"by {workers} workers, {tasks / seconds:,.0f}/s while profiled (the profile "
            f"covers the server's start-up too)"
        )
        return _report(head, out, top)


def profile_async(instances: int, top: int) -> list[str]:
    """Scenario 6: the held jobs are created by an unprofiled server; the profiled one, with
    its job executor, runs them all."""
    with tempfile.TemporaryDirectory(prefix="bpmnflow-profile-") as folder:
        with ServerProcess(Path(folder)) as server:
            deploy_models(server.port, ASYNC_RESOURCES)
            continuations.hold_and_start(server.port, 8, instances)
        with profiled_server(folder, jobs=True) as (port, out):
            seconds = continuations.release_and_wait(port)
        jobs = continuations.jobs_of(instances)
        head = (
            f"job executor: {jobs} async continuations, {jobs / seconds:,.0f} jobs/s while "
            f"profiled (the profile covers the server's start-up and the count polls too)"
        )
        return _report(head, out, top)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_serve"]:
        serve_profiled(int(argv[1]), argv[2], argv[3], jobs=argv[4:5] == ["jobs"])
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "target", nargs="?", choices=["inprocess", "rest", "external", "async"], default="inprocess"
    )
    parser.add_argument(
        "--count",
        type=int,
        default=2000,
        help="instances, round trips, external tasks or async jobs to profile (2000)",
    )
    parser.add_argument("--max-tasks", type=int, default=1, help="external: maxTasks per fetch (1)")
    parser.add_argument("--workers", type=int, default=4, help="external: workers (4)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--straight",
        action="store_true",
        help="rest: profile straight-through starts instead of user-task trips",
    )
    parser.add_argument("--top", type=int, default=25, help="functions to list (25)")
    args = parser.parse_args(argv)
    if args.target == "inprocess":
        lines = profile_in_process(args.count, args.top)
    elif args.target == "external":
        lines = profile_external(args.count, args.workers, args.max_tasks, args.top)
    elif args.target == "async":
        lines = profile_async(max(1, args.count // ASYNC_CHAIN), args.top)
    else:
        lines = profile_rest(args.count, args.connections, args.straight, args.top)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
