"""Read the stored automatic classes of flows again with today's reading rules.

A flow's ``material_class`` is stored when the flow is saved (import, flow form, traceability events). When
the label rules change (a synonym added, generic words that name no material), a flow saved before keeps its
old automatic class until someone saves it again: « Déchets divers » stayed untreated wood on the flow page,
in the lists and in the figures. :func:`reclassify_flows` reads every automatic class again, as the importer
reads it (:func:`.importers.classify_many`), and never touches a class a person decided: a class chosen in the
form, named in a file's ``material_class`` column (``class_chosen``), or a facilitator's correction of the
class (a ``Correction`` row).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

BATCH = 2000


@dataclass
class ReclassifyReport:
    examined: int = 0
    kept_chosen: int = 0       # a person's choice (form, file column)
    kept_corrected: int = 0    # a facilitator's correction
    unchanged: int = 0
    changed: int = 0
    applied: bool = True
    transitions: Counter = field(default_factory=Counter)  # (old class, new class) -> flows
    # the same, per commune of the flow's site ("" for a site abroad), so a facilitator reads their territory's
    # share: insee -> {"reread": n, "changed": n, "transitions": Counter((old, new) -> flows)}
    by_commune: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"examined": self.examined, "kept_chosen": self.kept_chosen, "kept_corrected": self.kept_corrected,
                "unchanged": self.unchanged, "changed": self.changed, "applied": self.applied,
                "transitions": [{"from": a or None, "to": b or None, "flows": n}
                                for (a, b), n in sorted(self.transitions.items(), key=lambda t: (-t[1], t[0]))]}


def reclassify_flows(flows=None, *, apply: bool = True, progress=None) -> ReclassifyReport:
    """Read again the automatic class of ``flows`` (a queryset, default every flow); write the ones that
    differ unless ``apply`` is False. ``progress(done, total)`` is called after each batch."""
    from django.db import transaction

    from .importers import class_chosen, classify_many
    from .models import Correction, Flow

    qs = Flow.objects.all() if flows is None else flows
    corrected = set(Correction.objects.filter(field="material_class", flow__isnull=False)
                    .values_list("flow_id", flat=True))
    rows = list(qs.order_by("pk").values_list("pk", "label", "ewc_id", "kind", "temperature_c", "material_class",
                                             "material_confidence", "site__commune_id"))
    report = ReclassifyReport(examined=len(rows), applied=apply)
    todo = []
    for row in rows:
        if row[0] in corrected:
            report.kept_corrected += 1
        elif row[5] and class_chosen(row[6]):
            report.kept_chosen += 1
        else:
            todo.append(row)
    for start in range(0, len(todo), BATCH):
        part = todo[start:start + BATCH]
        read = classify_many([(label, ewc) for _pk, label, ewc, *_r in part], [r[3] for r in part],
                             [r[4] for r in part])
        changed = []
        for (pk, _label, _ewc, _kind, _t, old, old_conf, commune), (key, conf) in zip(part, read):
            here = report.by_commune.setdefault(commune or "", {"reread": 0, "changed": 0, "transitions": Counter()})
            here["reread"] += 1
            if (old or "") == (key or "") and old_conf == conf:
                report.unchanged += 1
                continue
            report.changed += 1
            here["changed"] += 1
            if (old or "") != (key or ""):
                report.transitions[(old or "", key or "")] += 1
                here["transitions"][(old or "", key or "")] += 1
            changed.append(Flow(pk=pk, material_class=key or "", material_confidence=conf))
        if apply and changed:
            with transaction.atomic():
                Flow.objects.bulk_update(changed, ["material_class", "material_confidence"], batch_size=500)
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    return report
