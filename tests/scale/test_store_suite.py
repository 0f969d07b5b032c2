"""The version store's contract, run against BOTH implementations (SQLite file, PostgreSQL): one SQL,
one suite. Concurrency here is real: threads with their own connections commit on one session."""
from __future__ import annotations

import threading

import pytest

from agent.versions import Version
from engine.errors import BrushEditError, NothingToUndoError, SessionNotFoundError, VersionNotFoundError

IMG = "a" * 64


def _v(parent: str, n: int = 0, run_id: str | None = None, instruction: str = "edit") -> Version:
    return Version(id="pending", parent=parent, image_id=f"{n:064x}", mask_id="b" * 64, instruction=instruction,
                   category="remove", plan={"category": "remove", "target": "x"}, run_id=run_id)


def test_create_list_and_refuse_a_duplicate(version_store):
    root = version_store.create("s1", IMG, (600, 400))
    version_store.create("s2", IMG)
    assert root.id == "v0" and root.source_size == (600, 400)
    assert version_store.sessions() == ["s1", "s2"] and version_store.exists("s1")
    assert not version_store.exists("nope")
    with pytest.raises(BrushEditError, match="already exists"):
        version_store.create("s1", IMG)
    with pytest.raises(BrushEditError, match="not allowed"):
        version_store.create("../etc", IMG)


def test_commits_branch_and_keep_their_order_past_v9(version_store):
    version_store.create("s", IMG)
    for n in range(1, 12):
        assert version_store.commit("s", _v(f"v{n - 1}", n)).id == f"v{n}"
    assert [v.id for v in version_store.history("s")] == [f"v{n}" for n in range(12)]  # v10 after v9, not after v1
    version_store.checkout("s", "v3")
    branch = version_store.commit("s", _v("v3", 99, instruction="other"))
    assert (branch.id, branch.parent, version_store.head("s").id) == ("v12", "v3", "v12")
    assert [v.id for v in version_store.lineage("s")] == ["v0", "v1", "v2", "v3", "v12"]
    got = version_store.get("s", "v12")
    assert got.plan == {"category": "remove", "target": "x"} and got.image_id == f"{99:064x}" and got.created > 0


def test_undo_redo_checkout_and_their_errors(version_store):
    version_store.create("s", IMG)
    version_store.commit("s", _v("v0", 1))
    version_store.commit("s", _v("v1", 2))
    assert version_store.undo("s").id == "v1" and version_store.undo("s").id == "v0"
    with pytest.raises(NothingToUndoError, match="nothing to undo"):
        version_store.undo("s")
    assert version_store.redo("s").id == "v1" and version_store.state("s") == ("v1", ["v2"])
    version_store.checkout("s", "v0")
    assert version_store.state("s") == ("v0", [])  # checkout clears the redo stack
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        version_store.redo("s")
    with pytest.raises(VersionNotFoundError, match="Use one of: v0, v1, v2"):
        version_store.checkout("s", "v9")
    with pytest.raises(SessionNotFoundError, match="brushedit new"):
        version_store.history("missing")


def test_pending_review_blocks_head_moves_and_a_commit_clears_it(version_store):
    version_store.create("s", IMG)
    version_store.commit("s", _v("v0", 1))
    version_store.set_pending("s", {"result_id": "c" * 64, "mask_id": "d" * 64, "plan": {"category": "remove"}})
    assert version_store.pending("s")["result_id"] == "c" * 64
    assert {"c" * 64, "d" * 64, IMG, "b" * 64} <= version_store.referenced_ids()
    for move in (lambda: version_store.undo("s"), lambda: version_store.redo("s"),
                 lambda: version_store.checkout("s", "v0")):
        with pytest.raises(BrushEditError, match="waiting for review"):
            move()
    version_store.commit("s", _v("v1", 2))
    assert version_store.pending("s") is None and version_store.head("s").id == "v2"


def test_a_commit_is_idempotent_by_run_id(version_store):
    version_store.create("s", IMG)
    first = version_store.commit("s", _v("v0", 1, run_id="run-1"))
    again = version_store.commit("s", _v("v0", 1, run_id="run-1"))
    assert again.id == first.id == "v1" and [v.id for v in version_store.history("s")] == ["v0", "v1"]


def test_concurrent_commits_on_one_session_are_serialised_and_none_is_lost(version_store):
    version_store.create("s", IMG)
    version_store.create("other", IMG)
    ids, errors = [], []

    def work(t: int) -> None:
        try:
            for i in range(5):
                ids.append(version_store.commit("s", _v("v0", t * 10 + i)).id)
                version_store.commit("other", _v("v0", 1, run_id="same-run"))  # 30 tries of one run: one version
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(ids, key=lambda i: int(i[1:])) == [f"v{n}" for n in range(1, 31)]  # 30 commits, 30 distinct ids
    history = version_store.history("s")
    assert len(history) == 31 and {v.image_id for v in history[1:]} == {f"{t * 10 + i:064x}" for t in range(6)
                                                                        for i in range(5)}
    assert [v.id for v in version_store.history("other")] == ["v0", "v1"]
