"""A class the classifier read is stored below a person's choice (``flows.importers.READ_CONFIDENCE_MAX``).

Before, the importer stored a label that is exactly a synonym (or a class taken from the waste code) at
confidence 1, the value that marks a person's choice, so the engine took it as given and never read an
ash by its source or an organic-only label by what its provider gives off. Which stored rows were read,
not chosen:

- every imported flow (``imported_at`` set): the import format had no class column, so each class at
  confidence 1 came from the classifier; a person's class on such a flow is a Correction row, which
  the engine reads apart and keeps;
- every flow written from a traceability event (``source`` = ``epcis``): classified from its label.

A flow typed in the form or sent through the API at confidence 1 may be a person's choice or a label
read exactly: they cannot be told apart, so they stay a choice (the engine does what the page shows).
The imported snapshot (``imported_values``) is lowered alike, so re-importing the same file still
reports nothing changed.
"""

from django.db import migrations

READ_CONFIDENCE_MAX = 0.99  # flows.importers.READ_CONFIDENCE_MAX when this was written


def lower_read_classes(apps, schema_editor):
    Flow = apps.get_model("flows", "Flow")
    read = Flow.objects.filter(material_confidence__gte=1.0).filter(
        imported_at__isnull=False) | Flow.objects.filter(material_confidence__gte=1.0, source="epcis")
    batch = []
    for flow in read.iterator(chunk_size=2000):
        flow.material_confidence = READ_CONFIDENCE_MAX
        snapshot = flow.imported_values or {}
        if isinstance(snapshot.get("material_confidence"), (int, float)) and snapshot["material_confidence"] >= 1.0:
            flow.imported_values = {**snapshot, "material_confidence": READ_CONFIDENCE_MAX}
        batch.append(flow)
        if len(batch) >= 2000:
            Flow.objects.bulk_update(batch, ["material_confidence", "imported_values"])
            batch = []
    if batch:
        Flow.objects.bulk_update(batch, ["material_confidence", "imported_values"])


class Migration(migrations.Migration):

    dependencies = [
        ("flows", "0004_site_sourcing_indexes"),
    ]

    operations = [
        migrations.RunPython(lower_read_classes, migrations.RunPython.noop),
    ]
