"""Write every plural message into the French catalogues, so that « 0 événement » is singular.

Why: the msgids are French, and the French catalogues leave msgstr empty (the msgid is the text).
For a plural that fails: with no French entry, gettext falls back to the source rule of
msgid/msgid_plural (``n == 1``) and writes « 0 événements ». French says 0 and 1 in the singular
(``plural=(n > 1)``, the catalogues' Plural-Forms), which applies only to entries the French
catalogue holds. This script gives each plural message a French entry whose forms are its msgid
and msgid_plural, then compiles the catalogues. Run it after adding a plural message:

    PYTHONPATH=src:tests DJANGO_SETTINGS_MODULE=boucle.settings python scripts/fr_plurals.py

``tests/test_i18n_catalogue.py`` fails when a plural message lacks its French entry.
"""

import ast
import json
import subprocess
import sys

import django


def _entry_key(block: str):
    """(msgctxt, msgid, has_plural) of a .po block, or None for a header or comment block."""
    fields, key = {}, None
    for line in block.splitlines():
        if line.startswith("#"):
            continue
        if line.startswith('"') and key:
            fields[key] += ast.literal_eval(line)
        elif " " in line:
            key, _, value = line.partition(" ")
            fields[key] = ast.literal_eval(value)
    if not fields.get("msgid"):
        return None
    return fields.get("msgctxt"), fields["msgid"], "msgid_plural" in fields


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def french_entry(context, msgid: str, plural: str) -> str:
    # No python-format flag: a French singular may leave out the count (« Réponses du dernier jour. »)
    lines = [f"msgctxt {_q(context)}"] if context else []
    lines += [f"msgid {_q(msgid)}", f"msgid_plural {_q(plural)}", f"msgstr[0] {_q(msgid)}", f"msgstr[1] {_q(plural)}"]
    return "\n".join(lines)


def write(app) -> int:
    import test_i18n_catalogue as catalogue

    found, _dynamic = catalogue.extracted_messages(app)
    plurals = {key: plural for key, (plural, _where) in found.items() if plural}
    po = catalogue.po_path(app).parents[2] / "fr" / "LC_MESSAGES" / "django.po"
    blocks = po.read_text(encoding="utf-8").rstrip("\n").split("\n\n")
    kept = [b for b in blocks if not ((k := _entry_key(b)) and k[2] and (k[0], k[1]) in plurals)]
    kept += [french_entry(context, msgid, plural) for (context, msgid), plural in sorted(plurals.items(),
                                                                                        key=lambda kv: kv[0][1])]
    po.write_text("\n\n".join(kept) + "\n", encoding="utf-8")
    subprocess.run(["msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    return len(plurals)


if __name__ == "__main__":
    django.setup()
    import test_i18n_catalogue as catalogue

    for app in catalogue.CATALOGUES:
        print(f"{app or 'main'}: {write(app)} plural messages in French", file=sys.stderr)
