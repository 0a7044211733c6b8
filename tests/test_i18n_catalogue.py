"""The English catalogues cover every translatable string: the main one (``src/boucle/locale``) for every app
but those in ``OWN_CATALOGUE_APPS``, which ship their own ``locale/`` folder and are checked the same way against it.

Messages are extracted the way ``makemessages`` does it, without needing GNU gettext: templates go through
Django's own ``templatize`` (so ``%`` doubling, ``blocktranslate trimmed``, plurals and contexts match what
``makemessages`` writes) and Python modules are read with ``ast``. A message missing from ``django.po``, left
empty or fuzzy, or whose placeholders differ from the French, fails here rather than showing French to an
English reader.
"""

import ast
import functools
import gettext
import re
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

import boucle
from boucle import cli
from boucle.matching import lifecycle

PACKAGE = Path(boucle.__file__).parent
LOCALE = PACKAGE / "locale"
OWN_CATALOGUE_APPS = {"passports", "projects", "sharing"}  # keep their own locale/ folder
CATALOGUES = [None, *sorted(OWN_CATALOGUE_APPS)]  # None: the main catalogue
GETTEXT_NAMES = {"gettext", "gettext_lazy", "gettext_noop", "_", "pgettext", "pgettext_lazy",
                 "ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
CONTEXT_FIRST = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
PLURAL = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
def jobs_words():
    from boucle.jobs.services import WORDS  # steps, states and kinds of background jobs

    return set(WORDS)


# Calls whose msgid is a variable: each must be listed here with the strings it can receive, so that a new one
# is noticed (makemessages cannot see it) and its strings are still checked below. Keyed by catalogue.
DYNAMIC_MSGIDS = {None: {"lifecycle.LABELS_FR": set(lifecycle.LABELS_FR.values()),
                          "exc.template": set(),  # ops: ArchiveError messages, each marked with gettext_noop
                          # boucle.messages: the pure engines' (GS1, EPCIS, impact) msgids, each marked with
                          # gettext_noop where the engine writes it
                          "self.msgid": set(),
                          "job_msgid": jobs_words(),
                          # the CLI's lazy gettext: its msgids are the literal _() of the commands' help texts
                          "cli_msgid": set(), "ARGPARSE_WORDS": set(cli.ARGPARSE_WORDS.values())}}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdif%r]")


def parse_po(path):
    """{(msgctxt, msgid): entry} where entry has msgid_plural, msgstr (list of forms) and flags; header skipped."""
    entries, entry, key = {}, None, None

    def close():
        if entry and entry.get("msgid"):
            forms = [entry[k] for k in sorted(k for k in entry if k.startswith("msgstr"))]
            entries[(entry.get("msgctxt"), entry["msgid"])] = {
                "plural": entry.get("msgid_plural"), "msgstr": forms, "flags": entry.get("flags", set())}

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip() or line.startswith("#~"):
            close()
            entry, key = None, None
            continue
        entry = entry if entry is not None else {}
        if line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def po_path(app):
    return (LOCALE if app is None else PACKAGE / app / "locale") / "en" / "LC_MESSAGES" / "django.po"


def catalogue_sources(app=None):
    """Templates and Python modules served by one catalogue (tests and migrations aside): an own-catalogue
    app's folder, or everything else for the main catalogue (``app=None``)."""
    for path in sorted((PACKAGE if app is None else PACKAGE / app).rglob("*")):
        parts = path.relative_to(PACKAGE).parts
        if app is None and parts[0] in OWN_CATALOGUE_APPS:
            continue
        if "tests" in parts or "migrations" in parts or "locale" in parts:
            continue
        if path.suffix == ".py" or (path.suffix in {".html", ".txt"} and "templates" in parts):
            yield path


STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(gettext|pgettext|ngettext|npgettext|_)\(\s*((?:{STRING}\s*,?\s*)+)")


def template_messages(path):
    """(msgctxt, msgid, msgid_plural) of a template, from the Python-like text makemessages hands to xgettext."""
    for match in TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        strings = [ast.literal_eval(s.lstrip("u")) for s in re.findall(STRING, match.group(2))]
        name = match.group(1)
        context = strings.pop(0) if name in CONTEXT_FIRST else None
        yield context, strings[0], strings[1] if name in PLURAL and len(strings) > 1 else None


def python_messages(path):
    """(msgctxt, msgid, msgid_plural) of literal gettext calls, and the source of calls with a variable msgid."""
    source = path.read_text(encoding="utf-8")
    messages, dynamic = [], []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in GETTEXT_NAMES:
            continue
        args = node.args[1:] if name in CONTEXT_FIRST else node.args
        context = node.args[0].value if name in CONTEXT_FIRST and isinstance(node.args[0], ast.Constant) else None
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            plural = args[1].value if name in PLURAL and len(args) > 1 and isinstance(args[1], ast.Constant) else None
            messages.append((context, args[0].value, plural))
        elif args:
            dynamic.append(ast.get_source_segment(source, args[0]))
    return messages, dynamic


@functools.cache
def extracted_messages(app=None):
    """{(msgctxt, msgid): (msgid_plural, where)} and the variable msgids found, over one catalogue's sources."""
    found, dynamic = {}, []
    for path in catalogue_sources(app):
        where = str(path.relative_to(PACKAGE))
        if path.suffix == ".py":
            messages, variables = python_messages(path)
            dynamic += [(where, v) for v in variables]
        else:
            messages = template_messages(path)
        for context, msgid, plural in messages:
            found.setdefault((context, msgid), (plural, where))
    return found, dynamic


@pytest.fixture(scope="module", params=CATALOGUES, ids=lambda app: app or "main")
def app(request):
    return request.param


@pytest.fixture(scope="module")
def catalogue(app):
    return parse_po(po_path(app))


def test_the_scan_reaches_every_app_of_the_main_catalogue():
    """Guards the scan itself: if it silently missed a folder, every other test here would pass vacuously."""
    found, _dynamic = extracted_messages()
    apps = {where.split("/")[0] for _plural, where in found.values()}
    assert {"web", "accounts", "observatory"} <= apps
    assert not apps & OWN_CATALOGUE_APPS
    assert len(found) > 250


@pytest.mark.parametrize("own", sorted(OWN_CATALOGUE_APPS))
def test_each_own_catalogue_app_has_strings_and_a_catalogue(own):
    found, _dynamic = extracted_messages(own)
    assert found, f"{own}: no translatable string found, is the scan looking in the right folder?"
    assert po_path(own).exists() and po_path(own).with_suffix(".mo").exists()


def test_every_extracted_message_has_an_english_translation(app, catalogue):
    found, _dynamic = extracted_messages(app)
    missing = [(where, key[1]) for key, (_plural, where) in found.items() if key not in catalogue]
    assert not missing, f"run makemessages (see src/boucle/locale/README.md) and translate: {missing[:10]}"
    wrong_plural = [key[1] for key, (plural, _w) in found.items() if catalogue[key]["plural"] != plural]
    assert not wrong_plural, f"plural form differs from the catalogue: {wrong_plural[:10]}"


def test_french_says_zero_and_one_in_the_singular(app):
    """« 0 événement », not « 0 événements »: French uses its singular for 0 and 1 (``plural=(n > 1)``), but
    only for plurals its catalogue holds; without an entry, gettext falls back to the msgid's ``n == 1``."""
    from django.utils import translation
    from django.utils.translation import ngettext, npgettext

    found, _dynamic = extracted_messages(app)
    plurals = {key: plural for key, (plural, _where) in found.items() if plural}
    assert plurals or app == "sharing"
    with translation.override("fr"):
        wrong = [msgid for (context, msgid), plural in plurals.items()
                 if [(npgettext(context, msgid, plural, n) if context else ngettext(msgid, plural, n)) for n in (0, 1, 2)]
                 != [msgid, msgid, plural]]
    assert not wrong, f"no French plural entry, run scripts/fr_plurals.py: {wrong[:5]}"


def test_variable_msgids_are_known_and_their_values_translated(app, catalogue):
    """makemessages cannot see ``_(variable)``; each such call must be declared above and its values translated."""
    _found, dynamic = extracted_messages(app)
    declared = DYNAMIC_MSGIDS.get(app, {})
    unknown = [(where, v) for where, v in dynamic if not any(v.startswith(prefix) for prefix in declared)]
    assert not unknown, f"gettext called on a variable; mark its strings with gettext_noop: {unknown}"
    values = set().union(set(), *declared.values())
    untranslated = [v for v in values if not any(catalogue.get((None, v), {}).get("msgstr", [""]))]
    assert not untranslated, f"no English for the lifecycle labels: {untranslated}"


def test_no_english_entry_is_empty_or_fuzzy(catalogue):
    empty = [msgid for (_c, msgid), e in catalogue.items() if not all(e["msgstr"])]
    fuzzy = [msgid for (_c, msgid), e in catalogue.items() if "fuzzy" in e["flags"]]
    assert not empty, f"missing English for: {empty[:10]}"
    assert not fuzzy, f"fuzzy English entries (check, then remove the flag): {fuzzy[:10]}"


def names(text):
    return sorted(name for name in PLACEHOLDER.findall(text) if name)


def test_placeholders_of_each_translation_match_the_french(catalogue):
    """A renamed or dropped %(name)s raises KeyError or loses a figure at render time, in English only."""
    wrong = []
    for (_c, msgid), entry in catalogue.items():
        sources = {*names(msgid), *names(entry["plural"] or "")}
        for form in entry["msgstr"]:
            if entry["plural"] is None and names(form) != names(msgid) or not set(names(form)) <= sources:
                wrong.append((msgid, form))
            elif "python-format" in entry["flags"]:
                try:
                    form % {name: 1 for name in sources}
                except (TypeError, ValueError, KeyError) as error:
                    wrong.append((msgid, f"{form} ({error})"))
    assert not wrong, f"placeholders differ: {wrong[:5]}"


def test_compiled_catalogue_is_the_committed_po(app, catalogue):
    compiled = gettext.GNUTranslations(po_path(app).with_suffix(".mo").open("rb"))
    stale = [msgid for (context, msgid), e in catalogue.items() if e["plural"] is None and context is None
             and compiled.gettext(msgid) != e["msgstr"][0]]
    assert not stale, f"django.mo is older than django.po; run compilemessages: {stale[:5]}"


@pytest.mark.django_db
@pytest.mark.parametrize("url, english, french", [
    ("/", ["Closing the loops of the territory", "Figures by intercommunality", "statistical confidentiality",
           "Main navigation"],
     ["Boucler les flux", "Chiffres par intercommunalité", "secret statistique"]),
    ("/observatoire/", ["Territorial observatory", "Published figures", "Map of the intercommunalities",
                        "Reporting companies", "No data yet."],
     ["Observatoire territorial", "Chiffres publiés", "Entreprises déclarantes", "Aucune donnée"]),
])
def test_public_pages_render_in_english_on_request(client, url, english, french):
    assert "lang=\"fr\"" in client.get(url).content.decode()
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200 and 'lang="en"' in page
    assert [text for text in english if text not in page] == []
    assert [text for text in french if text in page] == []


@pytest.mark.django_db
def test_language_chosen_with_setlang_sticks(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/observatoire/"})
    assert "Territorial observatory" in client.get("/observatoire/").content.decode()
