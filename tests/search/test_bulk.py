"""BulkAnalyzer: index_row's rows, analyzed on worker processes that die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from search.bulk import BulkAnalyzer
from search.indexing import index_row
from tests.processes import PROJECT_ROOT
from tests.search.conftest import CORPUS, make_doc

HOSTILE = [
    make_doc(
        "topic:90", "outlook.com が AADSTS650056 を返す", "ﾊﾟｽﾜｰﾄﾞ を 変更 できない", locale="ja"
    ),
    make_doc("topic:91", "لا أستطيع تغيير كلمة المرور", "بالاشتراك والفواتير", locale="ar"),
    make_doc(
        "post:92", "", "Logging in fails with 'don't' \\ & | ! <-> :* v2.3.1", group_id="topic:1"
    ),
]


def test_workers_write_exactly_the_rows_of_the_inline_analysis():
    pairs = [(doc, doc.locale) for doc in CORPUS + HOSTILE]
    with BulkAnalyzer(workers=2) as analyzer:
        rows = analyzer.rows(pairs)
        again = analyzer.rows(pairs[:3])  # the same workers serve the next batch
    assert rows == [index_row(doc, locale) for doc, locale in pairs]
    assert again == rows[:3]
    assert {row.locale for row in rows} == {"en", "ja", "ar"}


def test_one_worker_analyzes_in_the_calling_process():
    analyzer = BulkAnalyzer(workers=1)
    assert analyzer.rows([(CORPUS[0], "en")]) == [index_row(CORPUS[0], "en")]
    assert analyzer._pool is None


WORKERS_THEN_WAIT = """
import sys, time
sys.path.insert(0, {root!r})
from search.bulk import BulkAnalyzer
from tests.search.conftest import CORPUS
if __name__ == "__main__":
    analyzer = BulkAnalyzer(workers=2)
    analyzer.rows([(d, d.locale) for d in CORPUS])
    print(" ".join(str(p.pid) for p in analyzer._pool._pool), flush=True)
    time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone too, only not yet reaped
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_parent_leaves_no_worker_behind(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(WORKERS_THEN_WAIT.format(root=str(PROJECT_ROOT)))
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as parent:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
