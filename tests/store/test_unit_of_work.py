"""The unit of work on SQLite and PostgreSQL: batching, revisions, and what is never written.

``Session.statements`` is the measure: a command's cost is the statements its flush sends, and
rows born and removed within one command must cost none.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bpmnflow.errors import OptimisticLockingError
from bpmnflow.store.database import POSTGRES, Database
from bpmnflow.store.entities import Deployment, IdentityLink
from bpmnflow.store.migrate import migrate
from bpmnflow.store.unit_of_work import UnitOfWork


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    migrate(database)
    yield database
    database.close()


def link(id_: str, user: str | None = "anna", rev: int = 1) -> IdentityLink:
    """A small versioned row."""
    return IdentityLink(id=id_, rev=rev, type="candidate", user_id=user, group_id=None,
                        task_id="task", proc_def_id=None, proc_inst_id=None, tenant_id=None)


def deployment(id_: str, name: str = "d") -> Deployment:
    """A small row without revision."""
    return Deployment(id=id_, name=name, deploy_time=1, source=None, tenant_id=None)


def stored(db: Database, table: str = "bf_identity_link") -> dict[str, tuple]:
    """Every row of a table by id, read in a transaction of its own."""
    with db.transaction(write=False) as session:
        rows = session.query(f"SELECT * FROM {table} ORDER BY id")
    return {row[0]: tuple(row) for row in rows}


def seed(db: Database, *rows: IdentityLink | Deployment) -> None:
    with db.transaction() as session:
        uow = UnitOfWork(session)
        for row in rows:
            uow.add(row)
        uow.flush()


def flushed_statements(uow: UnitOfWork) -> int:
    before = uow.session.statements
    uow.flush()
    return uow.session.statements - before


# -- inserts ----------------------------------------------------------------------------------
def test_inserts_are_batched_per_table(db):
    with db.transaction() as session:
        uow = UnitOfWork(session)
        for i in range(5):
            uow.add(link(f"l{i}"))
        uow.add(deployment("d1"))
        uow.add(deployment("d2"))
        assert session.statements == 0  # nothing is sent before the flush
        assert flushed_statements(uow) == 2  # one executemany per table
    assert sorted(stored(db)) == [f"l{i}" for i in range(5)]
    assert sorted(stored(db, "bf_deployment")) == ["d1", "d2"]


def test_a_single_insert_is_one_statement(db):
    with db.transaction() as session:
        uow = UnitOfWork(session)
        uow.add(link("l1"))
        assert flushed_statements(uow) == 1
    assert stored(db)["l1"][:4] == ("l1", 1, "candidate", "anna")


def test_a_new_row_changed_before_the_flush_is_inserted_as_it_is_then(db):
    with db.transaction() as session:
        uow = UnitOfWork(session)
        row = link("l1")
        uow.add(row)
        row.user_id = "bob"
        assert flushed_statements(uow) == 1
    assert stored(db)["l1"][3] == "bob"


def test_an_inserted_and_deleted_row_is_never_written(db):
    with db.transaction() as session:
        uow = UnitOfWork(session)
        kept, gone = link("kept"), link("gone")
        uow.add(kept)
        uow.add(gone)
        uow.add(deployment("ghost"))
        gone.user_id = "changed"
        uow.remove(gone)
        uow.remove(uow.get(Deployment, "ghost"))
        assert uow.get(IdentityLink, "gone") is None
        assert session.statements == 1  # the get above looked in the database
        assert flushed_statements(uow) == 1  # only the insert of 'kept'
    assert list(stored(db)) == ["kept"]
    assert stored(db, "bf_deployment") == {}


def test_only_removed_new_rows_cost_nothing_at_all(db):
    with db.transaction() as session:
        uow = UnitOfWork(session)
        rows = [link(f"l{i}") for i in range(3)]
        for row in rows:
            uow.add(row)
        for row in rows:
            uow.remove(row)
        assert flushed_statements(uow) == 0
    assert stored(db) == {}


def test_a_second_flush_without_changes_sends_nothing(db):
    with db.transaction() as session:
        uow = UnitOfWork(session)
        row = link("l1")
        uow.add(row)
        uow.flush()
        assert flushed_statements(uow) == 0
        row.user_id = "bob"  # after the flush the row is an ordinary loaded row
        assert flushed_statements(uow) == 1
        assert row.rev == 2
    assert stored(db)["l1"][1:4] == (2, "candidate", "bob")


# -- reads ------------------------------------------------------------------------------------
def test_get_returns_one_object_per_row(db):
    seed(db, link("l1"))
    with db.transaction(write=False) as session:
        uow = UnitOfWork(session)
        first = uow.get(IdentityLink, "l1")
        assert first is not None and first.user_id == "anna"
        assert uow.get(IdentityLink, "l1") is first
        assert uow.select(IdentityLink, "task_id = ?", ("task",)) == [first]
        assert uow.get(IdentityLink, "missing") is None
        assert uow.get(Deployment, "l1") is None  # the identity map is per table


def test_select_and_cached_leave_out_removed_rows(db):
    seed(db, link("l1"), link("l2"), link("l3"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        loaded = uow.select(IdentityLink, "task_id = ? ORDER BY id", ("task",))
        assert [r.id for r in loaded] == ["l1", "l2", "l3"]
        uow.remove(loaded[1])
        assert [r.id for r in uow.select(IdentityLink, "1 = 1 ORDER BY id")] == ["l1", "l3"]
        assert uow.get(IdentityLink, "l2") is None
        new = link("l4")
        uow.add(new)
        assert sorted(r.id for r in uow.cached(IdentityLink)) == ["l1", "l3", "l4"]
        assert uow.is_new(new) and not uow.is_new(loaded[0])


def test_a_reloaded_row_keeps_this_commands_changes(db):
    seed(db, link("l1"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        row = uow.get(IdentityLink, "l1")
        row.user_id = "bob"
        again = uow.select(IdentityLink, "id = ?", ("l1",))[0]
        assert again is row and again.user_id == "bob"


# -- updates and deletes ----------------------------------------------------------------------
def test_an_update_is_guarded_by_the_revision_and_raises_it(db):
    seed(db, link("l1"), link("l2"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        row = uow.get(IdentityLink, "l1")
        uow.get(IdentityLink, "l2")  # loaded, unchanged: no statement
        row.user_id = "bob"
        assert flushed_statements(uow) == 1
        assert row.rev == 2
    assert stored(db)["l1"][1:4] == (2, "candidate", "bob")
    assert stored(db)["l2"][1] == 1


def test_an_update_back_to_the_loaded_value_sends_nothing(db):
    seed(db, link("l1"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        row = uow.get(IdentityLink, "l1")
        row.user_id = "bob"
        row.user_id = "anna"
        assert flushed_statements(uow) == 0


def test_a_row_without_revision_is_updated_by_id(db):
    seed(db, deployment("d1", "old"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        uow.get(Deployment, "d1").name = "new"
        assert flushed_statements(uow) == 1
    assert stored(db, "bf_deployment")["d1"][1] == "new"


def test_deletes_are_batched_per_table(db):
    seed(db, link("l1"), link("l2"), link("l3"), deployment("d1"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        for row in uow.select(IdentityLink, "id IN (?, ?)", ("l1", "l3")):
            uow.remove(row)
        uow.remove(uow.get(Deployment, "d1"))
        assert flushed_statements(uow) == 2
        assert uow.get(IdentityLink, "l1") is None
    assert list(stored(db)) == ["l2"]
    assert stored(db, "bf_deployment") == {}


def test_a_changed_then_deleted_row_is_only_deleted(db):
    seed(db, link("l1"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        row = uow.get(IdentityLink, "l1")
        row.user_id = "bob"
        uow.remove(row)
        assert flushed_statements(uow) == 1
    assert stored(db) == {}


def test_insert_update_and_delete_in_one_flush(db):
    seed(db, link("old1"), link("old2"))
    with db.transaction() as session:
        uow = UnitOfWork(session)
        uow.add(link("new"))
        uow.get(IdentityLink, "old1").group_id = "sales"
        uow.remove(uow.get(IdentityLink, "old2"))
        assert flushed_statements(uow) == 3
    rows = stored(db)
    assert sorted(rows) == ["new", "old1"]
    assert rows["old1"][1] == 2 and rows["old1"][4] == "sales"


# -- optimistic locking -----------------------------------------------------------------------
def _load_then_commit(db: Database, *ids: str) -> UnitOfWork:
    """A unit of work whose rows were read in an earlier transaction (as by a slow command)."""
    with db.transaction() as session:
        uow = UnitOfWork(session)
        for id_ in ids:
            assert uow.get(IdentityLink, id_) is not None
    return uow


def _bump(db: Database, id_: str) -> None:
    """Another command changes the row and its revision in between."""
    with db.transaction() as session:
        session.execute("UPDATE bf_identity_link SET user_id = 'other', rev = rev + 1 "
                        "WHERE id = ?", (id_,))


def _flush_in_new_transaction(db: Database, uow: UnitOfWork) -> None:
    with db.transaction() as session:
        uow.session = session
        uow.flush()


def test_an_update_of_a_row_changed_in_between_fails_and_writes_nothing(db):
    seed(db, link("l1"), link("l2"))
    uow = _load_then_commit(db, "l1", "l2")
    _bump(db, "l1")
    before = stored(db)
    uow.get(IdentityLink, "l1").user_id = "mine"
    uow.get(IdentityLink, "l2").user_id = "mine too"
    uow.add(link("new"))
    uow.add(deployment("d-new"))
    with pytest.raises(OptimisticLockingError) as info:
        _flush_in_new_transaction(db, uow)
    assert info.value.code == 1
    assert info.value.camunda_type == "OptimisticLockingException"
    assert "IdentityLink[l1]" in info.value.message
    assert stored(db) == before  # neither the inserts nor the other update were kept
    assert stored(db, "bf_deployment") == {}


def test_a_delete_of_a_row_changed_in_between_fails_and_writes_nothing(db):
    seed(db, link("l1"), link("l2"), link("l3"))
    uow = _load_then_commit(db, "l1", "l2", "l3")
    _bump(db, "l2")
    before = stored(db)
    for id_ in ("l1", "l2"):
        uow.remove(uow.get(IdentityLink, id_))
    uow.get(IdentityLink, "l3").user_id = "changed"
    uow.add(link("new"))
    with pytest.raises(OptimisticLockingError):
        _flush_in_new_transaction(db, uow)
    assert stored(db) == before


def test_an_update_of_a_row_deleted_in_between_fails(db):
    seed(db, link("l1"))
    uow = _load_then_commit(db, "l1")
    with db.transaction() as session:
        session.execute("DELETE FROM bf_identity_link WHERE id = ?", ("l1",))
    uow.get(IdentityLink, "l1").user_id = "mine"
    with pytest.raises(OptimisticLockingError):
        _flush_in_new_transaction(db, uow)


def test_concurrent_transactions_on_postgres(db):
    """Two commands open at once on PostgreSQL: the later writer loses and writes nothing."""
    if db.dialect != POSTGRES:
        pytest.skip("SQLite serialises writers with a lock; no two write transactions overlap")
    seed(db, link("l1"))
    with pytest.raises(OptimisticLockingError), db.transaction() as slow:
        theirs = UnitOfWork(slow)
        row = theirs.get(IdentityLink, "l1")
        with db.transaction() as fast:  # another command starts and commits meanwhile
            mine = UnitOfWork(fast)
            mine.get(IdentityLink, "l1").user_id = "fast"
            mine.add(link("fast-new"))
            mine.flush()
        row.user_id = "slow"
        theirs.add(link("slow-new"))
        theirs.flush()
    rows = stored(db)
    assert sorted(rows) == ["fast-new", "l1"]
    assert rows["l1"][1:4] == (2, "candidate", "fast")
