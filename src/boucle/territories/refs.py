"""Territory references as users type them: ``region:32``, ``departement:59``,
``epci:200093201``, ``commune:59350`` or a bare code when it is unambiguous.

A territory is always resolved to its set of member communes, because EPCIs and
départements are parallel parents (see ``models``).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from .models import Commune, Departement, Epci, Region

LEVELS = ("region", "departement", "epci", "commune")
ALIASES = {"reg": "region", "dep": "departement", "department": "departement", "com": "commune"}


class TerritoryError(ValueError):
    """A reference that names no territory, or more than one."""


@dataclass(frozen=True)
class TerritoryRef:
    level: str
    code: str
    name: str

    def __str__(self):
        return f"{self.level}:{self.code}"

    def communes(self):
        qs = Commune.objects.all()
        if self.level == "region":
            return qs.filter(departement__region_id=self.code)
        if self.level == "departement":
            return qs.filter(departement_id=self.code)
        if self.level == "epci":
            return qs.filter(epci_id=self.code)
        return qs.filter(insee=self.code)


def _lookup(level: str, code: str):
    model = {"region": Region, "departement": Departement, "epci": Epci, "commune": Commune}[level]
    obj = model.objects.filter(pk=code).first()
    return TerritoryRef(level, code, obj.name) if obj else None


def resolve(text: str) -> TerritoryRef:
    text = (text or "").strip()
    if ":" in text:
        level, code = (part.strip() for part in text.split(":", 1))
        level = ALIASES.get(level.lower(), level.lower())
        if level not in LEVELS:
            raise TerritoryError(_("niveau de territoire %(level)s inconnu : region, departement, epci ou commune")
                                 % {"level": repr(level)})
        found = _lookup(level, code.upper() if level == "departement" else code)
        if not found:
            raise TerritoryError(_("pas de %(level)s de code %(code)s") % {"level": level, "code": repr(code)})
        return found
    matches = [ref for level in LEVELS if (ref := _lookup(level, text))]
    if not matches:
        raise TerritoryError(_("aucun territoire de code %(code)s") % {"code": repr(text)})
    if len(matches) > 1:
        choices = ", ".join(f"{m} ({m.name})" for m in matches)
        raise TerritoryError(_("%(code)s est ambigu : %(choices)s") % {"code": repr(text), "choices": choices})
    return matches[0]


# --- a commune as a person types it -------------------------------------------------------------

_DEPT_SUFFIX = re.compile(r"^(?P<name>.*?\S)[\s,]*(?:\(\s*(?P<a>\d{2,3}|2[AB])\s*\)|[\s,]+(?P<b>\d{2,3}|2[AB]))$", re.I)


def fold_name(text: str) -> str:
    """A commune name compared without accents, case, hyphens or apostrophes ("Saint-Étienne" = "saint etienne")."""
    text = (text or "").replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[-'’`.]", " ", plain).split())


def name_order(name: str) -> tuple:
    """A territory's place in a list, in dictionary order: « CA de Béthune » before « CA Douaisis », « CA Coeur de
    Flandre » before « CA Coeur d'Ostrevent », « CC Pévèle » before « CC Picardie » (the home page and the
    observatory list the intercommunalities in this one order)."""
    return fold_name(name).replace(" ", ""), name or ""


def communes_matching(text: str) -> list:
    """Every commune ``text`` may name: an INSEE code (59350), a postcode (59000) or a name, accents and
    case ignored, optionally followed by its département ("Bailleul (59)", "Bailleul 59"). Most
    populous first; an empty list when nothing matches."""
    value = (text or "").strip()
    if not value or len(value) > 200:
        return []
    if re.fullmatch(r"[0-9]{5}|2[AB][0-9]{3}", value, re.I):
        found = list(Commune.objects.filter(insee=value.upper()))
        if found:
            return found
        return [c for c in Commune.objects.filter(postal_codes__contains=value).order_by("-population", "insee")
                if value in re.split(r"[^0-9]+", c.postal_codes)]
    departement = None
    m = _DEPT_SUFFIX.match(value)
    if m and (m.group("a") or m.group("b")):
        value, departement = m.group("name"), (m.group("a") or m.group("b")).upper()
    wanted = fold_name(value)
    if not wanted:
        return []
    codes = _names_index(Commune.objects.count()).get(wanted, [])
    qs = Commune.objects.filter(insee__in=codes)
    if departement:
        qs = qs.filter(departement_id=departement.zfill(2) if departement.isdigit() else departement)
    return sorted(qs, key=lambda c: (-(c.population or 0), c.insee))


@lru_cache(maxsize=2)
def _names_index(_count: int) -> dict[str, list[str]]:
    """Folded name → INSEE codes, built once per process (and again when the communes change)."""
    index: dict[str, list[str]] = {}
    for insee, name in Commune.objects.values_list("insee", "name"):
        index.setdefault(fold_name(name), []).append(insee)
    return index
