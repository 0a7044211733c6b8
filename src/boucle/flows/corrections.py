"""The correction layer: a facilitator's fix wins over any later import.

Site and flow fields hold the *displayed* values; ``imported_values`` keeps what
the file said; ``Correction`` rows record each human fix. The importer calls
``overlay`` before saving, so a re-import updates ``imported_values`` but leaves
corrected fields as the facilitator set them.
"""

from django.db import transaction

from .models import Correction, Flow, Site

CORRECTABLE = {
    Site: {"name", "naf_id", "activity", "lat", "lon", "commune_id", "closed"},
    Flow: {"label", "kind", "ewc_id", "material_class", "quantity", "unit", "period", "quantity_base",
           "base_unit", "temperature_c", "hazardous", "grade", "available_from", "available_to", "confidential",
           "current_route"},
}


def latest_corrections(obj) -> dict:
    """Field → value of the latest correction of each field of ``obj``."""
    if obj.pk is None:
        return {}
    rows = obj.corrections.order_by("created_at", "id").values_list("field", "value")
    return dict(rows)


def overlay(obj, corrections: dict | None = None) -> None:
    for field, value in (corrections if corrections is not None else latest_corrections(obj)).items():
        setattr(obj, field, value)


@transaction.atomic
def correct(obj, field: str, value, *, author=None, reason: str = "") -> Correction:
    """Record a fix of one field and apply it to the displayed record."""
    allowed = CORRECTABLE[type(obj)]
    if field not in allowed:
        raise ValueError(f"{field!r} cannot be corrected; choose one of {', '.join(sorted(allowed))}")
    target = {"site": obj} if isinstance(obj, Site) else {"flow": obj}
    json_value = value.isoformat() if hasattr(value, "isoformat") else value
    correction = Correction.objects.create(field=field, value=json_value, reason=reason, author=author, **target)
    setattr(obj, field, value)
    obj.save(update_fields=[field])
    return correction
