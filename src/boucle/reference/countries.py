"""A country as people write it in a file → its ISO 3166-1 alpha-2 code.

Accepted: the alpha-2 or alpha-3 code, or the country's name in English, French or German, and in the
other languages of France's neighbours (Dutch, Italian, Spanish) (short, official or common name),
whatever the case, accents or punctuation: ``DK``, ``DNK``, ``Denmark``,
``DANEMARK``, ``Dänemark``, ``United States of America``, ``États-Unis``. The names and codes come from
pycountry (the Debian iso-codes data and its translations, LGPL-2.1); a few codes in everyday use that
ISO reserves for another meaning are added below. No Django here: importers, forms and the API share it.
"""

import functools
import gettext
import re
import unicodedata

LANGUAGES = ("fr", "de", "nl", "it", "es")  # English is pycountry's own language
ALIASES = {"UK": "GB", "EL": "GR", "GREAT BRITAIN": "GB", "GRANDE BRETAGNE": "GB", "GROSSBRITANNIEN": "GB"}


def _key(text: str) -> str:
    """Upper case, no accents, any punctuation (’, -, .) a space: ``Côte d’Ivoire`` = ``COTE D'IVOIRE``."""
    text = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", text).upper().split())


@functools.cache
def _index() -> dict[str, str]:
    """Normalised code or name → alpha-2; a name shared by two countries is left out (ambiguous)."""
    import pycountry

    translators = [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True).gettext
                   for lang in LANGUAGES]
    found: dict[str, set[str]] = {}
    for country in pycountry.countries:
        names = [getattr(country, field, None) for field in ("name", "official_name", "common_name")]
        names = [n for n in names if n]
        words = [country.alpha_2, country.alpha_3, *names,
                 *(translate(n) for translate in translators for n in names)]
        for word in words:
            found.setdefault(_key(word), set()).add(country.alpha_2)
    index = {key: codes.pop() for key, codes in found.items() if len(codes) == 1}
    index.update({_key(alias): code for alias, code in ALIASES.items()})
    return index


def country_code(text: str) -> str | None:
    """The alpha-2 code of ``text``, or None when it names no country (or several)."""
    return _index().get(_key(text))
