"""``Flow.declared_total``: a yearly total over several wastes (iREP's « Déchets dangereux (total déclaré) »)
is information about a site, never an offer: every count and sum of offers leaves it out
(``flows.models.takeable_offer``). Set for the stored flows as ``Flow.refresh_declared_total`` does."""

from django.db import migrations, models

CHOSEN_CONFIDENCE = 1.0  # flows.importers.CHOSEN_CONFIDENCE when this was written


def mark_totals(apps, schema_editor):
    from boucle.materials.classify import is_total_label

    Flow = apps.get_model("flows", "Flow")
    Correction = apps.get_model("flows", "Correction")
    corrected = set(Correction.objects.filter(flow__isnull=False, field="material_class")
                    .values_list("flow_id", flat=True))
    ids = [pk for pk, label, conf in Flow.objects.values_list("pk", "label", "material_confidence").iterator(2000)
           if is_total_label(label) and not (conf is not None and conf >= CHOSEN_CONFIDENCE) and pk not in corrected]
    for i in range(0, len(ids), 500):
        Flow.objects.filter(pk__in=ids[i:i + 500]).update(declared_total=True)


class Migration(migrations.Migration):

    dependencies = [
        ("flows", "0005_flow_read_class_below_chosen"),
    ]

    operations = [
        migrations.AddField(
            model_name="flow",
            name="declared_total",
            field=models.BooleanField(
                default=False, editable=False,
                help_text="A yearly total over several wastes (iREP's « Déchets dangereux (total déclaré) »): "
                          "information about the site, never an offer; set from the label on save "
                          "(``refresh_declared_total``)."),
        ),
        migrations.RunPython(mark_totals, migrations.RunPython.noop),
    ]
