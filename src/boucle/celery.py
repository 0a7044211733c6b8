"""The Celery application behind ``boucle worker`` (background jobs, ``boucle.jobs``).

Configured from Django's settings when first used, not at import: ``BOUCLE_BROKER_URL``
(redis:// or amqp://) and the jobs queue. Messages are acknowledged only once a job has
finished (``acks_late``) and handed back when the process running it dies
(``reject_on_worker_lost``); with Redis, a message whose worker vanished entirely (kill -9
of the whole worker, a lost machine) is delivered again after the visibility timeout. A job
can therefore run more than once: ``boucle.jobs.services.execute`` makes that safe (one
transaction per job's writes, an attempt counter as fencing token, a lease).
"""

import time
from pathlib import Path

from celery import Celery
from celery.beat import PersistentScheduler

app = Celery("boucle")
BEAT_TICK_MAX_S = 60  # the scheduler wakes at least this often, so its heartbeat says it is alive
_configured = False


def configured() -> Celery:
    """The application with its configuration read from Django's settings (once)."""
    global _configured
    if not _configured:
        from django.conf import settings

        timeout, queue = settings.BOUCLE_JOBS_VISIBILITY_TIMEOUT, settings.BOUCLE_JOBS_QUEUE
        app.conf.update(
            broker_url=settings.BOUCLE_BROKER_URL,
            broker_connection_retry_on_startup=True,
            broker_connection_timeout=5,
            broker_transport_options={
                "visibility_timeout": timeout,
                # How often a worker looks for messages left by a vanished worker (kombu's Redis transport).
                "unacked_restore_interval": max(1, min(10, timeout // 4)),
                "unacked_restore_throttle": 1 if timeout < 600 else 10,
                # Messages held by workers are listed per queue: two platforms (or a test) sharing one
                # Redis database never hand back each other's messages with their own timeout.
                "unacked_key": f"{queue}.unacked", "unacked_index_key": f"{queue}.unacked_index",
                "unacked_mutex_key": f"{queue}.unacked_mutex",
            },
            task_default_queue=queue,
            task_acks_late=True,
            task_reject_on_worker_lost=True,
            task_ignore_result=True,  # job states live in the database (boucle.jobs.models.Job)
            task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            worker_prefetch_multiplier=1,  # a long job never holds a second one hostage
            worker_hijack_root_logger=False,
            worker_send_task_events=False,
            beat_max_loop_interval=BEAT_TICK_MAX_S,
            enable_utc=True,
        )
        app.conf.beat_schedule = beat_schedule(settings.BOUCLE_NIGHTLY_MATCH, settings.BOUCLE_NIGHTLY_HOUR)
        import boucle.jobs.tasks  # noqa: F401  (registers the task)

        _configured = True
    return app


def beat_schedule(territories: list[str], hour: int) -> dict:
    """``boucle beat``'s schedule: one matching job each night per territory (``BOUCLE_NIGHTLY_MATCH``)."""
    from celery.schedules import crontab

    return {f"nightly-match {ref}": {"task": "boucle.jobs.nightly_match", "schedule": crontab(hour=hour, minute=0),
                                     "args": [ref]} for ref in territories}


def beat_heartbeat() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "celerybeat-heartbeat"


class BeatScheduler(PersistentScheduler):
    """Celery's scheduler, touching a heartbeat file at each tick: ``boucle beat --check`` reads its age."""

    _touched = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._touched >= 10:
            beat_heartbeat().touch()
            self._touched = now
        return min(super().tick(*args, **kwargs), BEAT_TICK_MAX_S)
