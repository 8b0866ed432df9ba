"""The database port on SQLite and PostgreSQL: URLs, transactions, migrations, list queries.

Every test runs on both databases (``database_url``), because a query that works on one and
fails or answers differently on the other is the bug a two-backend engine is most prone to.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bpmnflow.store.database import POSTGRES, SQLITE, Database
from bpmnflow.store.entities import Deployment
from bpmnflow.store.migrate import _migrations, migrate
from bpmnflow.store.query import Query

TABLES = ("bf_deployment", "bf_resource", "bf_process_definition", "bf_execution",
          "bf_variable", "bf_task", "bf_identity_link", "bf_hi_procinst", "bf_hi_actinst",
          "bf_hi_taskinst", "bf_hi_varinst", "bf_hi_detail")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    migrate(database)
    yield database
    database.close()


def _deployment(id_: str, name: str | None, time: int, source: str | None = None,
                tenant: str | None = None) -> Deployment:
    return Deployment(id=id_, name=name, deploy_time=time, source=source, tenant_id=tenant)


@pytest.fixture
def rows(db: Database) -> list[Deployment]:
    """Six deployments covering NULLs, case, LIKE wildcards and equal sort keys."""
    data = [
        _deployment("d1", "alpha", 100, "app", "t1"),
        _deployment("d2", "Alpha", 200, None, "t2"),
        _deployment("d3", "beta", 300, "app", None),
        _deployment("d4", "a_b", 300, "cli", "t1"),
        _deployment("d5", "axb", 500, None, None),
        _deployment("d6", None, 600, "app", "t2"),
    ]
    with db.transaction() as session:
        session.executemany(Deployment.insert_sql, [d.values(d) for d in data])
    return data


def ids(found: list[Deployment]) -> list[str]:
    return [d.id for d in found]


def run(db: Database, query: Query[Deployment], first: int | None = None,
        limit: int | None = None) -> list[str]:
    with db.transaction(write=False) as session:
        return ids(query.list(session, first, limit))


def count(db: Database, query: Query[Deployment]) -> int:
    with db.transaction(write=False) as session:
        return query.count(session)


# -- URLs -------------------------------------------------------------------------------------
def test_sqlite_urls(tmp_path):
    assert Database(f"sqlite:///{tmp_path}/a.db")._path == f"{tmp_path}/a.db"
    assert Database("sqlite:///relative/b.db")._path == "/relative/b.db"
    assert Database("sqlite:///x.db").dialect == SQLITE


def test_postgres_url_keeps_the_schema_out_of_the_connection_string():
    database = Database("postgresql://u:p@127.0.0.1:5432/db?schema=tenant_a&sslmode=disable")
    assert database.dialect == POSTGRES
    assert database.schema == "tenant_a"
    assert database._dsn == "postgresql://u:p@127.0.0.1:5432/db?sslmode=disable"


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported database URL"):
        Database("mysql://localhost/db")


def test_postgres_url_parameters_survive_percent_encoding():
    from psycopg.conninfo import conninfo_to_dict

    database = Database("postgresql://u@127.0.0.1/db?schema=s&application_name=a%26b"
                        "&options=-c%20statement_timeout%3D5000")
    params = conninfo_to_dict(database._dsn)
    assert params["application_name"] == "a&b"
    assert params["options"] == "-c statement_timeout=5000"


# -- migrations -------------------------------------------------------------------------------
def test_migrations_are_idempotent(database_url):
    database = Database(database_url)
    try:
        newest = max(version for version, _ in _migrations())
        assert migrate(database) == newest
        assert migrate(database) == newest
        with database.transaction(write=False) as session:
            versions = [v for (v,) in session.query(
                "SELECT version FROM bf_schema_version ORDER BY version")]
            for table in TABLES:
                assert session.scalar(f"SELECT COUNT(*) FROM {table}") == 0
        assert versions == sorted(v for v, _ in _migrations())
    finally:
        database.close()


def test_a_second_database_object_sees_the_migrated_schema(database_url):
    first, second = Database(database_url), Database(database_url)
    try:
        version = migrate(first)
        assert migrate(second) == version
    finally:
        first.close()
        second.close()


# -- transactions -----------------------------------------------------------------------------
def test_a_transaction_commits_when_the_block_ends(db):
    with db.transaction() as session:
        session.execute(Deployment.insert_sql, _deployment("d", "x", 1).values(
            _deployment("d", "x", 1)))
    with db.transaction(write=False) as session:
        assert session.scalar("SELECT name FROM bf_deployment WHERE id = ?", ("d",)) == "x"


def test_a_transaction_rolls_back_when_the_block_raises(db):
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.execute(Deployment.insert_sql, ("d", "x", 1, None, None))
        raise RuntimeError("command failed")
    with db.transaction(write=False) as session:
        assert session.scalar("SELECT COUNT(*) FROM bf_deployment") == 0


def test_a_read_transaction_writes_nothing(db):
    with db.transaction(write=False) as session:
        session.execute(Deployment.insert_sql, ("d", "x", 1, None, None))
    with db.transaction(write=False) as session:
        assert session.scalar("SELECT COUNT(*) FROM bf_deployment") == 0


def test_a_failed_statement_rolls_back_the_whole_transaction_and_the_pool_recovers(db):
    with pytest.raises(Exception), db.transaction() as session:  # noqa: B017 - driver's own
        session.execute(Deployment.insert_sql, ("d1", "x", 1, None, None))
        session.execute(Deployment.insert_sql, ("d1", "duplicate", 1, None, None))
    with db.transaction() as session:
        assert session.scalar("SELECT COUNT(*) FROM bf_deployment") == 0
        session.execute(Deployment.insert_sql, ("d2", "y", 1, None, None))
    with db.transaction(write=False) as session:
        assert session.scalar("SELECT COUNT(*) FROM bf_deployment") == 1


def test_the_session_counts_every_statement(db):
    with db.transaction() as session:
        session.execute(Deployment.insert_sql, ("a", "x", 1, None, None))
        session.executemany(Deployment.insert_sql, [("b", "y", 1, None, None),
                                                    ("c", "z", 1, None, None)])
        session.query("SELECT id FROM bf_deployment")
        session.scalar("SELECT COUNT(*) FROM bf_deployment")
        assert session.statements == 4


def test_percent_signs_in_sql_text_survive_placeholder_translation(db, rows):
    with db.transaction(write=False) as session:
        found = session.query(
            "SELECT id FROM bf_deployment WHERE name LIKE 'a%' AND deploy_time > ? ORDER BY id",
            (150,))
    assert [r[0] for r in found] == ["d4", "d5"]


def test_executemany_reports_the_rows_it_touched(db, rows):
    with db.transaction() as session:
        touched = session.executemany("DELETE FROM bf_deployment WHERE id = ?",
                                      [("d1",), ("d2",), ("missing",)])
    assert touched == 2


def test_bytes_round_trip(db):
    content = bytes(range(256)) * 4
    with db.transaction() as session:
        session.execute("INSERT INTO bf_resource (id, deployment_id, name, content) "
                        "VALUES (?, ?, ?, ?)", ("r", "d", "n", content))
    with db.transaction(write=False) as session:
        assert bytes(session.scalar("SELECT content FROM bf_resource")) == content


# -- the Query builder ------------------------------------------------------------------------
def test_no_filter_lists_everything_by_id(db, rows):
    assert run(db, Query(Deployment)) == ["d1", "d2", "d3", "d4", "d5", "d6"]
    assert count(db, Query(Deployment)) == 6


def test_list_builds_entities(db, rows):
    with db.transaction(write=False) as session:
        found = Query(Deployment).eq("id", "d1").list(session)
    assert found[0].values(found[0]) == rows[0].values(rows[0])


def test_eq(db, rows):
    assert run(db, Query(Deployment).eq("name", "alpha")) == ["d1"]
    assert run(db, Query(Deployment).eq("deploy_time", 300)) == ["d3", "d4"]
    assert run(db, Query(Deployment).eq("name", None)) == ids(rows)  # None: no filter


def test_in(db, rows):
    q = Query(Deployment).in_("tenant_id", ["t1", "t2"])
    assert run(db, q) == ["d1", "d2", "d4", "d6"]
    assert count(db, q) == 4
    assert run(db, Query(Deployment).in_("tenant_id", None)) == ids(rows)


def test_an_empty_in_list_matches_nothing_without_a_query(db, rows):
    q = Query(Deployment).in_("tenant_id", [])
    with db.transaction(write=False) as session:
        assert q.list(session) == [] and q.count(session) == 0
        assert session.statements == 0


def test_not_in_keeps_nulls(db, rows):
    q = Query(Deployment).not_in("tenant_id", ["t1"])
    assert run(db, q) == ["d2", "d3", "d5", "d6"]
    assert run(db, Query(Deployment).not_in("tenant_id", [])) == ids(rows)


def test_like_is_case_sensitive_on_both_databases(db, rows):
    assert run(db, Query(Deployment).like("name", "a%")) == ["d1", "d4", "d5"]
    assert run(db, Query(Deployment).like("name", "A%")) == ["d2"]
    assert run(db, Query(Deployment).like("name", "a_b")) == ["d4", "d5"]
    assert run(db, Query(Deployment).like("name", None)) == ids(rows)


def test_like_with_an_escaped_wildcard_matches_it_literally(db, rows, request):
    assert run(db, Query(Deployment).like("name", "a\\_b")) == ["d4"]


def test_compare(db, rows):
    assert run(db, Query(Deployment).compare("deploy_time", ">", 300)) == ["d5", "d6"]
    assert run(db, Query(Deployment).compare("deploy_time", ">=", 300)) == ["d3", "d4", "d5",
                                                                            "d6"]
    assert run(db, Query(Deployment).compare("deploy_time", "<", 200)) == ["d1"]
    assert run(db, Query(Deployment).compare("deploy_time", "<=", 200)) == ["d1", "d2"]
    assert run(db, Query(Deployment).compare("deploy_time", "<", None)) == ids(rows)


def test_null(db, rows):
    assert run(db, Query(Deployment).null("source", True)) == ["d2", "d5"]
    assert run(db, Query(Deployment).null("source", False)) == ["d1", "d3", "d4", "d6"]
    assert run(db, Query(Deployment).null("source", None)) == ids(rows)


def test_raw_clauses_bind_their_parameters(db, rows):
    q = Query(Deployment).add("(t.source = ? OR t.deploy_time = ?)", "cli", 100)
    assert run(db, q) == ["d1", "d4"]


def test_filters_combine_with_and(db, rows):
    q = (Query(Deployment).eq("source", "app").in_("tenant_id", ["t1", "t2"])
         .compare("deploy_time", "<", 600))
    assert run(db, q) == ["d1"]
    assert count(db, q) == 1


def test_filter_values_are_never_sql(db, rows):
    q = Query(Deployment).eq("name", "x' OR '1'='1").like("name", "%' OR 1=1 --")
    assert run(db, q) == []


def test_ordering(db, rows):
    q = Query(Deployment).null("name", False).order_by("t.deploy_time", True)
    q.order_by("t.id", False)
    assert run(db, q) == ["d5", "d3", "d4", "d2", "d1"]
    # Text order of names whose order no collation disputes (no case or punctuation ties).
    q = Query(Deployment).in_("id", ["d1", "d3", "d5"]).order_by("t.name", True)
    assert run(db, q) == ["d3", "d5", "d1"]
    q = Query(Deployment).in_("id", ["d1", "d2"]).order_by("LOWER(t.name)", False)
    assert run(db, q.order_by("t.id", True)) == ["d2", "d1"]


def test_count_ignores_ordering_and_paging(db, rows):
    q = Query(Deployment).order_by("t.deploy_time", True)
    assert count(db, q) == 6


@pytest.mark.parametrize(("first", "limit", "expected"), [
    (None, None, ["d1", "d2", "d3", "d4", "d5", "d6"]),
    (0, 2, ["d1", "d2"]),
    (2, 2, ["d3", "d4"]),
    (4, 10, ["d5", "d6"]),
    (6, 2, []),
    (3, None, ["d4", "d5", "d6"]),
    (None, 1, ["d1"]),
    (0, 0, []),
])
def test_paging(db, rows, first, limit, expected):
    assert run(db, Query(Deployment), first, limit) == expected


def test_paging_follows_the_ordering(db, rows):
    q = Query(Deployment).order_by("t.deploy_time", True).order_by("t.id", False)
    assert run(db, q, 1, 3) == ["d5", "d3", "d4"]


# -- dialect portability of the clauses services write ----------------------------------------
def test_boolean_flags_filter_on_both_databases(database_url):
    """A BOOL column is BOOLEAN on PostgreSQL and INTEGER on SQLite: one literal must fit both."""
    from bpmnflow.services import process_definitions
    from bpmnflow.services.queries import build
    from bpmnflow.store.entities import ProcessDefinition

    database = Database(database_url)
    try:
        migrate(database)
        with database.transaction() as session:
            for i, startable in enumerate((True, False, True)):
                definition = ProcessDefinition(
                    id=f"p{i}", rev=1, def_key=f"k{i}", version=1, name=None, category=None,
                    description=None, deployment_id="d", resource_name=None,
                    diagram_resource_name=None, tenant_id=None, version_tag=None,
                    history_ttl=None, startable=startable, has_start_form_key=False,
                    suspension_state=1)
                session.execute(ProcessDefinition.insert_sql, definition.values(definition))
        spec = process_definitions.SPEC
        with database.transaction(write=False) as session:
            yes = build(spec, {"startableInTasklist": True}, lambda kind, name, v: v)
            no = build(spec, {"notStartableInTasklist": True}, lambda kind, name, v: v)
            assert [d.id for d in yes.list(session)] == ["p0", "p2"]
            assert [d.id for d in no.list(session)] == ["p1"]
    finally:
        database.close()
