"""Links cover each event's visibility; heads are signed and logged outside the database.

Existing chains are re-linked and their heads signed only when they verify intact under the
former links (``sha256(previous | event hash)``): a history already tampered with is left as it
is, so that ``boucle passport verify`` keeps reporting it instead of this migration laundering it.
"""

from django.db import migrations, models


def relink_and_sign(apps, schema_editor):
    from boucle.epcis.chain import chain_link, verify_chain

    ChainEntry = apps.get_model("passports", "ChainEntry")
    ChainHead = apps.get_model("passports", "ChainHead")
    heads = list(ChainHead.objects.filter(length__gt=0).select_related("passport"))
    if not heads:
        return
    from boucle.passports import anchor

    for head in heads:
        entries = list(ChainEntry.objects.filter(passport_id=head.passport_id).select_related("event").order_by("seq"))
        if verify_chain([e.event.data for e in entries], [e.link for e in entries], head.link or None) \
                or head.length != len(entries):
            continue
        prev = None
        for entry in entries:
            prev = chain_link(prev, entry.event.event_id, entry.event.visibility)
            ChainEntry.objects.filter(pk=entry.pk).update(link=prev)
        signed = anchor.sign_head(head.passport.handle, len(entries), prev)
        ChainHead.objects.filter(pk=head.pk).update(link=prev, signed=signed)
        anchor.log_head(signed)


class Migration(migrations.Migration):

    dependencies = [("passports", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="chainhead",
            name="signed",
            field=models.JSONField(blank=True, default=dict, help_text="The head signed at the last capture (passports.anchor); also logged outside the database."),
        ),
        migrations.RunPython(relink_and_sign, migrations.RunPython.noop),
    ]
