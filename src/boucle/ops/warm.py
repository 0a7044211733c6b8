"""Load once, when a server worker starts, what the first flow page would otherwise load on a user's request.

A flow page says why the matching makes no proposal for the flow (``web.company_views._matching_notes``): that
reads the label classifier, the knowledge of activities and the impact tables, and runs the engine on the sites
around, whose compiled search is loaded from numba's cache. All of it is loaded lazily, on first use: the first
flow page a worker served took about 3 s, the next ones 0.1 s. ``boucle serve`` (gunicorn, ``ops.gunicorn_conf``:
``post_worker_init``) calls :func:`warm_in_background` in each worker; tests and management commands never do.

The warm-up reads no database: it runs the same calls on two made-up sites, 2 km apart.
"""

import logging
import threading
import time

log = logging.getLogger(__name__)


def warm() -> float:
    """Load the URL configuration (the API's schema is built with it) and the matching's knowledge, as the first
    flow page would; returns the seconds it took."""
    from django.template.loader import get_template
    from django.urls import get_resolver, reverse
    from django.utils import translation

    from boucle.matching.pipeline import FlowIn, SiteIn, why_no_proposal, why_no_receiver

    start = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 (imports every view module and mounts the API)
    for lang in ("fr", "en"):  # the reverse lookups are indexed once per language
        with translation.override(lang):
            reverse("site-flows", args=[1])
    foundry = SiteIn("warm-a", 50.63, 3.06, naf_code="24.51", name="Fonderie")
    dairy = SiteIn("warm-b", 50.645, 3.08, activity="Fabrication de fromages", name="Laiterie")  # the NAF index
    heat = FlowIn("warm-1", "warm-a", "offer", label="Chaleur fatale des fours de fusion", kind="energy",
                  quantity_t=4500.0, unit="MWh", temperature_c=150.0)
    sand = FlowIn("warm-2", "warm-a", "offer", label="Sables de fonderie usagés", quantity_t=1200.0, unit="t")
    scrap = FlowIn("warm-3", "warm-b", "need", label="Ferrailles triées", quantity_t=500.0, unit="t")
    for flow in (heat, sand):
        why_no_proposal(flow, foundry, [heat, sand])
        why_no_receiver(flow, foundry, [foundry, dairy], [scrap])
    for name in ("web/company/flow_form.html", "web/base.html"):  # compiled once by the cached loader
        get_template(name)
    return time.perf_counter() - start


def warm_in_background() -> threading.Thread:
    """:func:`warm` in a daemon thread: the worker answers requests meanwhile; a failure is logged, never raised
    (a request then loads what it needs, as without the warm-up)."""

    def run():
        try:
            log.info("matching knowledge loaded in %.1f s", warm())
        except Exception:  # never let a warm-up take a worker down
            log.exception("warm-up failed; the first flow page will load the matching knowledge")
        finally:
            from django.db import connections

            connections.close_all()

    thread = threading.Thread(target=run, name="boucle-warm", daemon=True)
    thread.start()
    return thread
