"""The milestone report pauses the garbage collector; overlapping reports never leave it off."""

import gc
import threading

from app.insights.milestones import _collection_paused


def test_overlapping_reports_turn_the_collector_back_on_after_the_last():
    assert gc.isenabled()
    first_in, first_may_end = threading.Event(), threading.Event()

    def first_report():
        with _collection_paused():
            first_in.set()
            first_may_end.wait(5)

    thread = threading.Thread(target=first_report)
    thread.start()
    first_in.wait(5)
    with _collection_paused():
        first_may_end.set()
        thread.join(5)
        assert not gc.isenabled()  # the first ended, the second still runs
    assert gc.isenabled()


def test_a_report_leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with _collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
