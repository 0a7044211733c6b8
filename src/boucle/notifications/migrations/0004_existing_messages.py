"""Notifications written before message keys: recognise the platform's messages, French or English, by
their exact words, and store their key and material, so their reader sees them in their own language.

The words are frozen here as they were written (French and English) when keys were introduced; a row
that matches none of them (free text from a script, words changed by hand) keeps its text as written.
A material whose name is not found in the list of materials keeps its name as written. Nothing is lost:
``subject`` and ``body`` are not touched, and going back only forgets the keys.
"""

import csv
import re
from pathlib import Path

from django.db import migrations

MESSAGES = {'synergy.declined': [('Une entreprise décline une synergie (%(material)s)',
                       'Une des deux entreprises a répondu « Pas intéressé » à cette proposition.'),
                      ('A company declines a synergy (%(material)s)',
                       'One of the two companies answered “Not interested” to this proposal.')],
 'synergy.interested': [('Une entreprise est intéressée (%(material)s)',
                         "Une entreprise s'est dite intéressée par une synergie qui vous concerne. Les coordonnées "
                         "des deux entreprises ne sont dévoilées que si l'autre répond « Intéressé » à son tour."),
                        ('A company is interested (%(material)s)',
                         "A company said it is interested in a synergy that concerns you. The two companies' details "
                         'are revealed only if the other one answers “Interested” too.')],
 'synergy.interested.facilitator': [('Une entreprise est intéressée (%(material)s)',
                                     'Une des deux entreprises a répondu « Intéressé » à cette proposition : '
                                     "proposez la mise en relation à l'autre entreprise, ou faites avancer la "
                                     'synergie.'),
                                    ('A company is interested (%(material)s)',
                                     'One of the two companies answered “Interested” to this proposal: offer the '
                                     'other company to be put in touch, or move the synergy forward.')],
 'synergy.interested.facilitator.no_account': [('Une entreprise est intéressée (%(material)s)',
                                                'Une des deux entreprises a répondu « Intéressé » à cette '
                                                "proposition : proposez la mise en relation à l'autre entreprise, ou "
                                                "faites avancer la synergie. L'autre entreprise n'a pas encore de "
                                                'compte sur Boucle : prenez contact avec elle.'),
                                               ('A company is interested (%(material)s)',
                                                'One of the two companies answered “Interested” to this proposal: '
                                                'offer the other company to be put in touch, or move the synergy '
                                                'forward. The other company has no account on Boucle yet: get in '
                                                'touch with it.')],
 'synergy.introduced': [('Une synergie vous est proposée : %(material)s',
                         "L'animatrice ou l'animateur de votre territoire vous met en relation pour cette synergie. "
                         "Dites si vous êtes intéressé : vos coordonnées ne sont dévoilées à l'autre entreprise que "
                         'si elle répond oui elle aussi.'),
                        ('A synergy is proposed to you: %(material)s',
                         "Your territory's facilitator is putting you in touch for this synergy. Say whether you are "
                         'interested: your details are shown to the other company only if it says yes too.')],
 'synergy.revealed': [('Les deux entreprises sont intéressées (%(material)s)',
                       'Les deux entreprises ont répondu « Intéressé » : leurs coordonnées sont maintenant visibles '
                       "sur la page de la synergie. L'animateur du territoire peut vous aider à organiser "
                       "l'échange."),
                      ('Both companies are interested (%(material)s)',
                       "Both companies answered “Interested”: their contact details are now shown on the synergy's "
                       "page. Your territory's facilitator can help you set up the exchange.")]}


BATCH = 500


def _materials() -> dict:
    """Name (French or English) → key, from the list of materials shipped with the code."""
    path = Path(__file__).resolve().parents[2] / "materials" / "data" / "classes.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        names = {}
        for row in csv.DictReader(fh):
            for label in (row.get("label_fr"), row.get("label_en")):
                if label:
                    names.setdefault(label, row["key"])
        return names


def _patterns():
    """(key, subject regex, body) for each message in each language, longest body first."""
    found = []
    for key, versions in MESSAGES.items():
        for subject, body in versions:
            head, _sep, tail = subject.partition("%(material)s")
            found.append((key, re.compile(re.escape(head) + "(?P<material>.*)" + re.escape(tail) + r"\Z", re.S),
                          body))
    return sorted(found, key=lambda p: -len(p[2]))


def recognise(subject: str, body: str, patterns, materials) -> tuple[str, dict] | None:
    for key, subject_re, known_body in patterns:
        if body != known_body:
            continue
        match = subject_re.match(subject)
        if match:
            name = match["material"]
            return key, ({"material": materials[name]} if name in materials else {"material_text": name})
    return None


def forward(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    patterns, materials = _patterns(), _materials()
    changed = []
    for row in Notification.objects.filter(message="").only("pk", "subject", "body").iterator(chunk_size=BATCH):
        found = recognise(row.subject, row.body, patterns, materials)
        if found:
            row.message, row.params = found
            changed.append(row)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["message", "params"])
            changed = []
    if changed:
        Notification.objects.bulk_update(changed, ["message", "params"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_message_keys"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
