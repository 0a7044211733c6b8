"""Keep the flows' automatic material classes read with today's reading rules.

A flow's ``material_class`` is read from its label when the flow is saved (``importers.classify_many``). When
Boucle is upgraded and the reading rules change (a class, a synonym, the words that name no material), flows
saved before keep their old reading. The rules have a fingerprint (:func:`rules_fingerprint`: a hash of the
files the reading depends on and of :data:`RULES_VERSION`); the latest :class:`~.models.Rereading` row holds
the fingerprint the stored readings were made with. When they differ, :func:`ensure_current` reads every
automatic class again (:func:`.reclassify.reclassify_flows`: a person's choice and a facilitator's correction
are never touched) and records the new fingerprint. The matching calls it first
(``matching.service_run.propose_table_for``), so do ``migrate`` (post_migrate) and ``boucle flows reclassify``.
When nothing changed it costs one query.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

# Bump by hand when a change of code outside the files below changes how labels are read (for instance the
# kind and temperature rules of ``importers.classify_many``): the next matching then reads the flows again.
RULES_VERSION = 1

_MATERIALS = Path(__file__).resolve().parent.parent / "materials"
# What a label's reading depends on: the classes, their synonyms and the waste-code table (data), and the
# modules that read with them (the tokens, the words that name no material, the scoring).
RULE_FILES = (
    "data/classes.csv", "data/synonyms.csv", "data/ewc_to_class.csv",
    "classify.py", "index.py", "text.py", "taxonomy.py",
)
TRANSITIONS_KEPT = 200  # class changes kept on the record, most frequent first


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """The reading rules' fingerprint (hex), computed once per process."""
    digest = hashlib.sha256(f"boucle-reading-rules-{RULES_VERSION}".encode())
    for name in RULE_FILES:
        digest.update(name.encode() + b"\0")
        try:
            digest.update((_MATERIALS / name).read_bytes())
        except OSError:  # an install without the sources (bytecode only): the version and the data decide
            digest.update(b"absent")
    return digest.hexdigest()


def recorded_fingerprint() -> str | None:
    """The fingerprint of the rules the stored readings were made with (None: never recorded)."""
    from .models import Rereading

    return Rereading.objects.order_by("-pk").values_list("fingerprint", flat=True).first()


def is_current() -> bool:
    return recorded_fingerprint() == rules_fingerprint()


def record(report=None):
    """Record a complete re-reading (a :class:`.reclassify.ReclassifyReport`, None when there was no flow)."""
    from .models import Rereading

    if report is None:
        return Rereading.objects.create(fingerprint=rules_fingerprint())
    transitions = report.to_dict()["transitions"][:TRANSITIONS_KEPT]
    by_commune = {insee: {"reread": c["reread"], "changed": c["changed"],
                          "transitions": [[a or None, b or None, n] for (a, b), n in c["transitions"].most_common()]}
                  for insee, c in report.by_commune.items()}
    return Rereading.objects.create(fingerprint=rules_fingerprint(), reread=report.unchanged + report.changed,
                                    changed=report.changed, kept=report.kept_chosen + report.kept_corrected,
                                    transitions=transitions, by_commune=by_commune)


def scoped(rereading, communes=None) -> dict:
    """What ``rereading`` read again among the flows whose site is in ``communes`` (INSEE codes; None: every
    flow): ``{"reread", "changed", "transitions": [{from, to, flows}], "whole_platform"}``. A record made
    before the counts were kept per commune can only tell the whole platform (``whole_platform`` True)."""
    if communes is None or (not rereading.by_commune and rereading.reread):
        return {"reread": rereading.reread, "changed": rereading.changed, "transitions": rereading.transitions,
                "whole_platform": communes is not None}
    reread = changed = 0
    moves = {}
    for insee in set(communes) & set(rereading.by_commune):
        here = rereading.by_commune[insee]
        reread, changed = reread + here["reread"], changed + here["changed"]
        for old, new, n in here["transitions"]:
            moves[(old, new)] = moves.get((old, new), 0) + n
    transitions = [{"from": a, "to": b, "flows": n}
                   for (a, b), n in sorted(moves.items(), key=lambda t: (-t[1], t[0][0] or "", t[0][1] or ""))]
    return {"reread": reread, "changed": changed, "transitions": transitions[:TRANSITIONS_KEPT],
            "whole_platform": False}


def ensure_current(progress=None, announce=None):
    """Read the automatic classes again if the rules changed since the last re-reading; return the new
    :class:`~.models.Rereading` row, or None when the readings were already today's (one query).
    ``announce()`` is called before a re-reading starts, ``progress(done, total)`` after each batch."""
    if is_current():
        return None
    from .models import Flow
    from .reclassify import reclassify_flows

    if not Flow.objects.exists():
        return record()
    if announce is not None:
        announce()
    return record(reclassify_flows(apply=True, progress=progress))


def last_rereading():
    """The latest re-reading that read flows again (not the mark of an empty database), or None."""
    from .models import Rereading

    return Rereading.objects.filter(reread__gt=0).order_by("-pk").first()


def after_migrate(sender, using="default", verbosity=1, **kwargs) -> None:
    """``post_migrate``: a new database records today's fingerprint; an upgraded one reads its flows again."""
    import sys

    from django.db import connections

    from .models import Flow, Rereading

    if using != "default":
        return
    tables = set(connections[using].introspection.table_names())
    if not {Rereading._meta.db_table, Flow._meta.db_table} <= tables:
        return  # migrated to an older state: nothing to record yet

    def announce():
        if verbosity:
            from django.utils.translation import gettext

            print(gettext("Règles de lecture des libellés mises à jour : relecture des classes de matière lues "
                          "automatiquement…"), file=sys.stderr)

    ensure_current(announce=announce)
