"""The Celery task that runs a job: a thin shell around ``services.execute``."""

import os
import socket

from django.db import connections

from boucle.celery import app


@app.task(bind=True, name="boucle.jobs.run", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(self, job_id: str) -> None:
    from . import services

    try:
        services.execute(job_id, worker=f"{self.request.hostname or socket.gethostname()}:{os.getpid()}",
                         may_retry=True)
    except services.Busy as busy:  # another live worker holds it: look again once its lease may have run out
        raise self.retry(countdown=busy.wait_s, max_retries=None) from None
    except services.Retry as retry:  # a passing failure (the mail server): the job is queued again
        raise self.retry(countdown=retry.countdown, max_retries=None) from None
    finally:
        connections.close_all()  # a worker lives for days: never keep a connection the database may drop


@app.task(name="boucle.jobs.nightly_match", ignore_result=True)
def nightly_match(territory: str) -> None:
    """``boucle beat``'s periodic job: submit the territory's matching run (a job a worker then runs)."""
    from . import services

    try:
        services.submit("match", territory)
    finally:
        connections.close_all()
