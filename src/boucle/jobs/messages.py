"""A job's words in the reader's language, whatever the language of the process that ran it.

A job stores its messages in French, the source language of the catalogues: a msgid with its
parameters when the job wrote the message itself (``Job.error`` and ``Job.error_params``), or
the French text of a message the job's code rendered (an import's rejection reasons, an
exception's text), since jobs run in French. The first is translated as any msgid; the second
is translated back through the catalogue: the msgid whose pattern the text matches gives the
parameters, and the translation is filled with them. A text no msgid matches is shown as stored.
"""

import re
from functools import lru_cache

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import trans_real

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sdi]|\.\d+f)")


def render(job_msgid: str, params: dict | None = None) -> str:
    """A stored message in the reader's language: ``msgid % params``, or a rendered French text.

    The msgids a job stores are those of ``services.STEPS`` and ``services.ERRORS`` (declared to the
    catalogue test), or the French texts of the catalogue's own msgids."""
    if not job_msgid:
        return ""
    if params:
        try:
            return _(job_msgid) % params
        except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder: the French one
            return job_msgid % params
    return from_french(job_msgid)


def from_french(job_msgid_text: str) -> str:
    """A French text rendered from a msgid of the catalogues, in the active language."""
    translated = _(job_msgid_text)
    if translated != job_msgid_text or (get_language() or "fr").startswith("fr"):
        return translated
    for pattern, job_msgid_found in _patterns(get_language()):
        found = pattern.fullmatch(job_msgid_text)
        if found is None:
            continue
        params = {name: _value(value) for name, value in found.groupdict().items()}
        try:
            return _(job_msgid_found) % params
        except (KeyError, TypeError, ValueError):
            return job_msgid_text
    return job_msgid_text


def _value(job_msgid_value: str):
    """A parameter read back from a French text; one that is itself a catalogue msgid (a flow's kind « eau »,
    the words a refusal lists « offre ou besoin ») is translated with the sentence, not left in French."""
    return int(job_msgid_value) if re.fullmatch(r"-?\d+", job_msgid_value) else _(job_msgid_value)


@lru_cache(maxsize=4)
def _patterns(language: str) -> list[tuple[re.Pattern, str]]:
    """The catalogue's msgids with placeholders as patterns, the most specific first (longest fixed text)."""
    catalog = trans_real.translation(language)._catalog
    out = []
    for msgid in catalog.keys():
        if not isinstance(msgid, str) or "%(" not in msgid:
            continue
        parts, names, end = [], set(), 0
        for found in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[end:found.start()]))
            name, conversion = found.group(1), found.group(2)
            if name in names:  # the same parameter twice: a back-reference
                parts.append(f"(?P={name})")
            else:
                names.add(name)
                parts.append(f"(?P<{name}>-?\\d+)" if conversion in ("d", "i") else f"(?P<{name}>.+?)")
            end = found.end()
        parts.append(re.escape(msgid[end:]))
        fixed = len(_PLACEHOLDER.sub("", msgid))
        out.append((fixed, re.compile("".join(parts).replace("%%", "%"), re.DOTALL), msgid))
    out.sort(key=lambda item: -item[0])
    return [(pattern, msgid) for _fixed, pattern, msgid in out]
