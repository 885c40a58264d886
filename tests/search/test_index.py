"""SearchIndex: writing, rebuilding, counting, caching, and recovering write locks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search.index import INDEX_NAME, SearchIndex
from search.locking import OWNER_SUFFIX, IndexBusyError, LockPolicy
from search.query import SearchQuery

fcntl = pytest.importorskip("fcntl") if os.name != "nt" else None
REPO = Path(__file__).resolve().parents[2]


def ids(index: SearchIndex, text: str, locale: str = "en") -> list[str]:
    return [h.doc_id for h in index.search(SearchQuery(text, locale)).hits]


# ---- writing


def test_add_update_remove(empty_index, make_doc):
    empty_index.add_or_update(make_doc("article:1", "Reset your password"))
    assert ids(empty_index, "password") == ["article:1"]
    empty_index.add_or_update(make_doc("article:1", "Download invoices"))
    assert empty_index.doc_count() == 1
    assert ids(empty_index, "password") == []
    assert ids(empty_index, "invoice") == ["article:1"]
    empty_index.remove("article:1", "en")
    assert empty_index.doc_count() == 0
    empty_index.remove("article:1", "en")  # removing twice is fine


def test_many_documents_across_locales(empty_index, make_doc):
    empty_index.add_or_update_many(
        [
            make_doc("article:1", "Reset your password"),
            make_doc("article:2", "パスワードの再設定", locale="ja"),
            make_doc("topic:3", "Password expired"),
        ]
    )
    assert empty_index.doc_count() == 3
    assert empty_index.doc_count("en") == 2
    assert empty_index.doc_ids("en") == {"article:1", "topic:3"}
    assert empty_index.doc_ids("ja") == {"article:2"}
    assert empty_index.doc_ids("ar") == set()


def test_unknown_locale_is_rejected(empty_index, make_doc):
    with pytest.raises(ValueError):
        empty_index.add_or_update(make_doc("article:1", "Bonjour", locale="fr"))
    with pytest.raises(ValueError):
        empty_index.remove("article:1", "fr")


def test_extra_locales_use_a_simple_analyzer(make_doc):
    index = SearchIndex.in_memory(locales=("en", "fr"))
    index.add_or_update(make_doc("article:1", "Réinitialiser le mot de passe", locale="fr"))
    assert ids(index, "MOT", "fr") == ["article:1"]


def test_generation_changes_after_each_write(empty_index, make_doc):
    seen = {empty_index.generation}
    empty_index.add_or_update(make_doc("article:1", "One"))
    seen.add(empty_index.generation)
    empty_index.remove("article:1", "en")
    seen.add(empty_index.generation)
    empty_index.rebuild([])
    seen.add(empty_index.generation)
    assert len(seen) == 4


def test_results_cache_never_serves_stale_results(empty_index, make_doc):
    empty_index.add_or_update(make_doc("article:1", "Reset your password"))
    first = empty_index.search(SearchQuery("password", "en"))
    first.hits.clear()  # callers get their own copies
    assert ids(empty_index, "password") == ["article:1"]
    empty_index.add_or_update(make_doc("article:2", "Password rules"))
    assert set(ids(empty_index, "password")) == {"article:1", "article:2"}


# ---- rebuild


def test_rebuild_replaces_everything(empty_index, make_doc):
    empty_index.add_or_update_many(
        [make_doc("article:1", "Old"), make_doc("article:2", "古い", locale="ja")]
    )
    calls: list[int] = []
    count = empty_index.rebuild(
        (make_doc(f"topic:{i}", f"New topic {i}") for i in range(1500)), progress=calls.append
    )
    assert count == 1500
    assert calls[-1] == 1500 and calls[0] == 1000
    assert empty_index.doc_count() == 1500
    assert empty_index.doc_ids("ja") == set()
    assert ids(empty_index, "old") == []


def test_failed_rebuild_keeps_the_old_index(empty_index, make_doc):
    empty_index.add_or_update(make_doc("article:1", "Reset your password"))

    def broken():
        yield make_doc("article:2", "Half written")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        empty_index.rebuild(broken())
    assert empty_index.doc_ids("en") == {"article:1"}
    empty_index.add_or_update(make_doc("article:3", "Still writable"))
    assert empty_index.doc_count() == 2


def test_files_persist_between_instances(tmp_path, make_doc):
    SearchIndex(tmp_path).add_or_update(make_doc("article:1", "Reset your password"))
    reopened = SearchIndex(tmp_path)
    assert ids(reopened, "password") == ["article:1"]
    assert sorted(os.listdir(tmp_path)) == ["ar", "en", "ja"]


def test_searches_see_writes_from_another_instance(tmp_path, make_doc):
    reader = SearchIndex(tmp_path)
    assert ids(reader, "password") == []
    SearchIndex(tmp_path).add_or_update(make_doc("article:1", "Reset your password"))
    assert ids(reader, "password") == ["article:1"]


def test_concurrent_searches_and_writes(make_doc):
    index = SearchIndex.in_memory()
    index.rebuild(make_doc(f"topic:{i}", f"Password question {i}") for i in range(50))
    errors: list[BaseException] = []

    def searching():
        try:
            for _ in range(30):
                assert index.search(SearchQuery("password", "en")).total >= 50
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(10):
        index.add_or_update(make_doc(f"article:{i}", "Password article"))
    for t in threads:
        t.join()
    assert errors == []
    assert index.doc_count() == 60


# ---- write locks


def lock_file(root: Path) -> Path:
    return root / "en" / f"{INDEX_NAME}_WRITELOCK"


def write_owner_record(root: Path, pid: int, age: float = 0.0) -> None:
    record = {"pid": pid, "host": socket.gethostname(), "time": time.time() - age}
    Path(str(lock_file(root)) + OWNER_SUFFIX).write_text(json.dumps(record))


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def hold_lock(root: Path) -> int:
    """Take the write lock the way Whoosh does (flock) and return the descriptor."""
    fd = os.open(lock_file(root), os.O_CREAT | os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


@pytest.fixture
def disk_index(tmp_path) -> SearchIndex:
    return SearchIndex(tmp_path, lock_policy=LockPolicy(timeout=0.5, stale_after=300))


def test_lock_file_left_by_a_killed_process_does_not_block(tmp_path, disk_index, make_doc):
    lock_file(tmp_path).write_text("")
    write_owner_record(tmp_path, dead_pid())
    disk_index.add_or_update(make_doc("article:1", "Reset your password"))
    assert ids(disk_index, "password") == ["article:1"]


def test_writer_killed_mid_write_releases_the_lock(tmp_path, disk_index, make_doc):
    script = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from search.index import SearchIndex\n"
        "from search.locking import LockPolicy, acquire_writer\n"
        f"ix = SearchIndex({str(tmp_path)!r})._locales['en'].ix\n"
        "writer = acquire_writer(ix, LockPolicy())\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusyError):
            disk_index.add_or_update(make_doc("article:1", "Blocked while the child lives"))
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    disk_index.add_or_update(make_doc("article:1", "Reset your password"))
    assert ids(disk_index, "password") == ["article:1"]


def test_held_lock_whose_holder_is_gone_is_broken(tmp_path, disk_index, make_doc, caplog):
    # e.g. a forked child inherited the lock and outlived the writer that took it
    fd = hold_lock(tmp_path)
    try:
        write_owner_record(tmp_path, dead_pid())
        disk_index.add_or_update(make_doc("article:1", "Reset your password"))
    finally:
        os.close(fd)
    assert ids(disk_index, "password") == ["article:1"]
    assert "breaking search index write lock" in caplog.text


def test_lock_silent_for_too_long_is_broken(tmp_path, disk_index, make_doc):
    fd = hold_lock(tmp_path)
    try:
        write_owner_record(tmp_path, os.getpid(), age=1000)
        disk_index.add_or_update(make_doc("article:1", "Reset your password"))
    finally:
        os.close(fd)
    assert disk_index.doc_count() == 1


def test_live_lock_makes_writers_wait_then_give_up(tmp_path, disk_index, make_doc):
    fd = hold_lock(tmp_path)
    try:
        write_owner_record(tmp_path, os.getpid())
        started = time.monotonic()
        with pytest.raises(IndexBusyError):
            disk_index.add_or_update(make_doc("article:1", "Reset your password"))
        assert time.monotonic() - started >= 0.5
    finally:
        os.close(fd)
    disk_index.add_or_update(make_doc("article:1", "Reset your password"))
    assert disk_index.doc_count() == 1


def test_owner_record_is_removed_after_a_write(tmp_path, disk_index, make_doc):
    disk_index.add_or_update(make_doc("article:1", "Reset your password"))
    assert not Path(str(lock_file(tmp_path)) + OWNER_SUFFIX).exists()


# ---- fast doc sets


def test_fast_doc_sets_agree_with_whoosh(make_doc):
    from whoosh.query import And, Or, Phrase, Term

    from search.docsets import PostingCache, matching_docs

    index = SearchIndex.in_memory(locales=("en",))
    words = ["alpha", "beta", "gamma", "delta"]
    for batch in range(3):  # three segments
        index.add_or_update_many(
            make_doc(f"topic:{batch * 400 + i}", " ".join(words[: 1 + (i % 4)]), f"body {i % 7}")
            for i in range(400)
        )
    for i in range(0, 1200, 9):  # deletions in every segment
        index.remove(f"topic:{i}", "en")
    state = index._state("en")
    searcher = state.searcher
    assert len(searcher.reader().leaf_readers()) > 1
    queries = [
        Term("content", "alpha"),
        Term("content", "delta"),
        Term("content", "missing"),
        And([Term("content", "beta"), Term("content", "gamma")]),
        Or([Term("content", "delta"), Term("content", "3")]),
        And([Or([Term("content", "gamma"), Term("content", "5")]), Term("content", "alpha")]),
        Phrase("content", ["alpha", "beta"]),
        Term("kind", "topic"),
    ]
    cache = PostingCache(max_postings=1000)
    for query in queries:
        expected = sorted(set(searcher.docs_for_query(query)))
        assert matching_docs(searcher, query).tolist() == expected, query
        assert matching_docs(searcher, query, cache).tolist() == expected, query
        assert matching_docs(searcher, query, cache).tolist() == expected, query  # cached


def test_ranking_matches_whoosh_bm25f(index):
    from whoosh.query import And, Or, Term

    from search.docsets import matching_docs
    from search.ranking import document_lengths, top_documents

    searcher = index._state("en").searcher
    queries = [
        Term("content", "password"),
        And([Term("content", "reset"), Term("content", "link")]),
        Or([Term("content", "bill"), Term("content", "invoic", boost=0.5)]),
    ]
    lengths = document_lengths(searcher, "content")
    for query in queries:
        ours = top_documents(searcher, query, matching_docs(searcher, query), 10, lengths)
        theirs = [(hit.score, hit.docnum) for hit in searcher.search(query, limit=10)]
        assert [d for _, d in ours] == [d for _, d in theirs], query
        assert [round(s, 4) for s, _ in ours] == [round(s, 4) for s, _ in theirs], query


def test_typo_candidates_are_the_ones_whoosh_finds(make_doc):
    """``SearcherState.terms_within`` (RapidFuzz) finds exactly Whoosh's automaton's terms."""
    import random

    words = [
        "invoice",
        "invoices",
        "invite",
        "inviter",
        "password",
        "passport",
        "passwords",
        "pass",
        "export",
        "expert",
        "exports",
        "calendar",
        "calender",
        "colander",
        "refund",
        "refunds",
        "rebound",
        "a",
        "ab",
        "abc",
        "webhook",
        "webhooks",
    ]
    rng = random.Random(7)
    for _ in range(400):  # plus a vocabulary of pseudo-words with many near neighbours
        words.append("".join(rng.choice("aeiklnoprst") for _ in range(rng.randint(3, 9))))
    index = SearchIndex.in_memory(locales=("en",))
    index.add_or_update_many(
        make_doc(f"article:{i}", w, " ".join(words[i : i + 5])) for i, w in enumerate(words)
    )
    state = index._state("en")
    reader = state.searcher.reader()
    typed = [
        "invocie",
        "pasword",
        "exprot",
        "calandar",
        "refnd",
        "webhok",
        "ab",
        "x",
        "zzz",
        *("".join(rng.choice("aeiklnoprst") for _ in range(rng.randint(3, 9))) for _ in range(150)),
    ]
    checked = 0
    for word in typed:
        for distance in (1, 2):
            for prefix in (0, 1, 2):
                ours = state.terms_within("spell", word, distance, prefix)
                if len(word) < prefix:  # Whoosh's automaton raises IndexError here
                    assert ours == []
                    continue
                theirs = sorted(reader.terms_within("spell", word, distance, prefix=prefix))
                assert ours == theirs, (word, distance, prefix)
                checked += bool(ours)
    assert checked > 100  # most lookups found something: the comparison has teeth
