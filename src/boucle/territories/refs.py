"""Territory references as users type them: ``region:32``, ``departement:59``,
``epci:200093201``, ``commune:59350`` or a bare code when it is unambiguous.

A territory is always resolved to its set of member communes, because EPCIs and
départements are parallel parents (see ``models``).
"""

from dataclasses import dataclass

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
