"""A server worker loads the matching's knowledge as it starts, in the background, so that the first flow page a
user opens is not the one that pays for it (about 3 s on the demo); tests and commands never pay it."""

import threading

from boucle.matching import pipeline
from boucle.ops import warm


def test_the_warm_up_reads_no_database_and_loads_what_a_flow_page_reads():
    # no ``db`` fixture: pytest-django refuses any query, so the warm-up runs on made-up sites only
    pipeline.class_info.cache_clear()
    assert warm.warm() > 0
    assert pipeline.class_info.cache_info().currsize == 1  # the engine's class table is loaded


def test_each_server_worker_warms_in_the_background(monkeypatch):
    from boucle.ops import gunicorn_conf

    started, release, seen = threading.Event(), threading.Event(), {}

    def slow():
        seen["thread"] = threading.current_thread().name
        started.set()
        release.wait(5)
        return 0.0

    monkeypatch.setattr(warm, "warm", slow)
    gunicorn_conf.post_worker_init(None)  # returns at once: the worker answers requests meanwhile
    assert started.wait(5) and seen["thread"] == "boucle-warm"
    release.set()


def test_a_failed_warm_up_is_logged_not_raised(monkeypatch, caplog):
    def broken():
        raise RuntimeError("knowledge missing")

    monkeypatch.setattr(warm, "warm", broken)
    warm.warm_in_background().join(5)
    assert "warm-up failed" in caplog.text
