"""Connections to SQLite (the embedded default) or PostgreSQL (clusters) behind one small port.

SQL is written once with ``?`` placeholders and translated to the driver's style the first time a
statement is seen, so that no statement text is built per call on the hot path.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

from bpmnflow.errors import EngineError

SQLITE = "sqlite"
POSTGRES = "postgres"


class Session:
    """One connection inside one transaction; counts statements for the benchmarks."""

    __slots__ = ("_conn", "_translate", "statements", "dialect")

    def __init__(self, conn: Any, dialect: str, translate: Any) -> None:
        self._conn = conn
        self._translate = translate
        self.dialect = dialect
        self.statements = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self.statements += 1
        cur = self._conn.execute(self._translate(sql), params)
        return cur.rowcount

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> int:
        self.statements += 1
        if self.dialect == SQLITE:
            return self._conn.executemany(self._translate(sql), rows).rowcount
        with self._conn.cursor() as cur:
            cur.executemany(self._translate(sql), rows)
            return cur.rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.statements += 1
        return self._conn.execute(self._translate(sql), params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None


def _to_pyformat(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class Database:
    """A pool of connections to one database, plus the write lock SQLite needs.

    SQLite allows one writer at a time; taking a process-wide lock up front is cheaper than
    letting writers collide on SQLITE_BUSY and back off.  PostgreSQL runs writers concurrently
    and relies on row revisions (optimistic locking) instead.
    """

    def __init__(self, url: str, pool_size: int = 8) -> None:
        self.url = url
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            self.dialect = SQLITE
            path = parsed.path if parsed.netloc == "" else parsed.netloc + parsed.path
            self._path = unquote(path)
            if self._path.startswith("//"):
                self._path = self._path[1:]
            self._translate = _identity
        elif parsed.scheme in ("postgresql", "postgres"):
            self.dialect = POSTGRES
            query = parse_qs(parsed.query)
            self.schema = query.pop("schema", [None])[0]
            rest = urlencode({k: v[0] for k, v in query.items()}, quote_via=quote)
            self._dsn = parsed._replace(query=rest).geturl()
            self._translate = _cached(_to_pyformat)
        else:
            raise ValueError(f"unsupported database URL: {url}")
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._pool_size = pool_size
        self._opened = 0
        self._pool_lock = threading.Lock()
        self.write_lock: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if self.dialect == SQLITE else contextlib.nullcontext()
        )

    # -- connections ---------------------------------------------------------------------------
    def _open(self) -> Any:
        if self.dialect == SQLITE:
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA case_sensitive_like=ON")  # LIKE as on PostgreSQL and Camunda
            return conn
        import psycopg

        conn = psycopg.connect(self._dsn, autocommit=False, prepare_threshold=0)
        if self.schema:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            conn.execute(f'SET search_path TO "{self.schema}"')
            conn.commit()
        return conn

    def _acquire(self) -> Any:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        with self._pool_lock:
            if self._opened < self._pool_size:
                self._opened += 1
                try:
                    return self._open()
                except Exception:
                    self._opened -= 1
                    raise
        return self._pool.get(timeout=60)

    def _release(self, conn: Any, broken: bool) -> None:
        if broken:
            with contextlib.suppress(Exception):
                conn.close()
            with self._pool_lock:
                self._opened -= 1
            return
        self._pool.put(conn)

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        lock = self.write_lock if write else contextlib.nullcontext()
        with lock:
            conn = self._acquire()
            broken = False
            try:
                if self.dialect == SQLITE:
                    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                session = Session(conn, self.dialect, self._translate)
                try:
                    yield session
                except BaseException:
                    conn.rollback()
                    raise
                if write:
                    conn.commit()
                else:
                    conn.rollback()
            except EngineError:
                raise
            except (sqlite3.OperationalError, sqlite3.InterfaceError):
                broken = True
                raise
            except Exception as exc:
                broken = _is_disconnect(exc)
                raise
            finally:
                self._release(conn, broken)

    def close(self) -> None:
        while True:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                conn.close()
        self._opened = 0


def _is_disconnect(exc: Exception) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def _identity(sql: str) -> str:
    return sql


def _cached(fn: Any) -> Any:
    cache: dict[str, str] = {}

    def translate(sql: str) -> str:
        out = cache.get(sql)
        if out is None:
            out = cache[sql] = fn(sql)
        return out

    return translate
