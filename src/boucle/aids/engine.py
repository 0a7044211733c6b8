"""Which aid schemes fit a subject (a synergy, an answer to a call, a flow, a site), and why.

Pure Python: aids and the subject come in as plain data, ranked matches go out. The words of
``why`` are the service's business (translated there); here a reason is a code and its values.

A subject stands somewhere (the territory references containing its sites: ``commune:59350``,
``epci:200093201``, ``departement:59``, ``region:32``, and the country), is a kind of
beneficiary (``company``…) and touches themes (derived from what it exchanges). An aid fits when
its perimeter contains the subject, it is open to that beneficiary and shares a theme. An aid
whose one-off deadline has passed on the reference date is never a match; a permanent or
recurring aid stays (its next session is announced by the financer).

An aid may also say what it funds (its ``scope``): flow kinds (``energy``, ``water``…) and material
families (``plastics``, ``metals``…) — the kinds of ``Flow`` and the groups of
``boucle.materials`` classes, no other list. An empty scope funds any material. A subject carries
what it exchanges as (kind, family) pairs; an aid whose scope covers none of them is not a match
(ORPLAST, for recycled plastics, is not offered for steel slag); one whose family cannot be checked
(a material not yet classified) stays, ranked down, with the reason.
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

THEMES = ("circular_economy", "waste", "energy", "water", "industry", "decarbonisation", "innovation", "skills")
BENEFICIARIES = ("company", "local_authority", "association", "research", "public_body")
AID_TYPES = ("grant", "loan", "recoverable_advance", "engineering", "guarantee")
RECURRENCES = ("permanent", "recurring", "one_off")
LEVELS = ("commune", "epci", "departement", "region")
NATIONAL, EUROPEAN = "FR", "EU"

#: How much a perimeter tells about fit: a scheme for this very EPCI is rarer and more to the
#: point than a European programme open to all.
PERIMETER_WEIGHT = {"commune": 5.0, "epci": 4.5, "departement": 4.0, "region": 3.5, NATIONAL: 1.5, EUROPEAN: 1.0}
#: Themes of what a subject exchanges, the first being its main one.
KIND_THEMES = {
    "material": ("circular_economy", "waste"),
    "energy": ("energy", "decarbonisation"),
    "water": ("water",),
    "equipment": ("circular_economy",),
    "service": ("circular_economy",),
}
#: NAF divisions of manufacturing (10–33) and of waste collection, treatment and recovery (38–39).
INDUSTRY_DIVISIONS = frozenset(range(10, 34))
WASTE_DIVISIONS = frozenset({37, 38, 39})
#: What a specific scope adds when it covers what the subject exchanges (it is more to the point than a
#: generic fund), and what it costs when it cannot be checked (material not classified).
SCOPE_BONUS, SCOPE_UNCHECKED_PENALTY = 1.0, 1.5
EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


@dataclass(frozen=True)
class Aid:
    key: object
    name: str
    perimeter: tuple[str, ...]
    beneficiaries: tuple[str, ...]
    themes: tuple[str, ...]
    aid_types: tuple[str, ...] = ()
    deadline: dt.date | None = None
    recurrence: str = "permanent"
    scope: tuple[str, ...] = ()  # flow kinds and material families it funds; empty: any


@dataclass(frozen=True)
class Subject:
    """Where the subject stands, who would apply, what it is about (main themes first), and what it
    exchanges: (flow kind, material family) pairs, the family "" when the material is not classified."""

    places: tuple[str, ...]
    countries: tuple[str, ...] = ("FR",)
    beneficiary: str = "company"
    themes: tuple[str, ...] = ()
    materials: tuple[tuple[str, str], ...] = ()


@dataclass
class Match:
    aid: Aid
    score: float
    reasons: list[tuple[str, dict]] = field(default_factory=list)
    next_session: bool = False  # recurring aid whose last known deadline has passed


def themes_for(kinds=(), naf_codes=(), extra=()) -> tuple[str, ...]:
    """Themes of a subject from the kinds it exchanges and its sites' NAF codes, main first."""
    out: list[str] = []
    for kind in kinds:
        for theme in KIND_THEMES.get(kind, ("circular_economy",)):
            if theme not in out:
                out.append(theme)
    for code in naf_codes:
        digits = "".join(c for c in (code or "")[:2] if c.isdigit())
        division = int(digits) if len(digits) == 2 else None
        if division in INDUSTRY_DIVISIONS and "industry" not in out:
            out.append("industry")
        if division in WASTE_DIVISIONS and "waste" not in out:
            out.append("waste")
    for theme in extra:
        if theme in THEMES and theme not in out:
            out.append(theme)
    return tuple(out)


# --- what an aid funds ---------------------------------------------------------------------------

#: The kinds of a flow (``flows.Flow.Kind``), the first level of a scope.
SCOPE_KINDS = tuple(KIND_THEMES)


@lru_cache(maxsize=1)
def family_kinds() -> dict[str, frozenset[str]]:
    """Material family (a ``boucle.materials`` group) → the flow kinds of its classes."""
    from boucle.materials.taxonomy import load_classes

    out: dict[str, set] = {}
    for c in load_classes():
        out.setdefault(c.group, set()).add(c.kind)
    return {group: frozenset(kinds) for group, kinds in out.items()}


@lru_cache(maxsize=1)
def scope_families() -> tuple[str, ...]:
    """The material families a scope may name: the groups of material classes (a group that is a
    kind's whole content — energy, water, equipment, services — is named by its kind)."""
    return tuple(sorted(g for g, kinds in family_kinds().items() if "material" in kinds))


def scope_values() -> tuple[str, ...]:
    """The controlled list of a scope: flow kinds, then material families."""
    return SCOPE_KINDS + scope_families()


def family_of(material_class: str) -> str:
    """The family (group) of a material class key, "" when unknown."""
    from boucle.materials.taxonomy import class_index, get_class

    return get_class(material_class).group if material_class in class_index() else ""


def scope_fit(scope, materials) -> tuple[str, list[str]]:
    """("any", []) for no scope; ("covers", scope values covering the subject); ("unchecked", the
    scope values that might cover a material not classified); ("outside", [])."""
    if not scope:
        return "any", []
    covering = [v for v in scope if any(v in (kind, family) for kind, family in materials)]
    if covering:
        return "covers", covering
    kinds = family_kinds()
    maybe = [v for v in scope if any(not family and kind in kinds.get(v, ()) for kind, family in materials)]
    if maybe or not materials:
        return "unchecked", maybe or list(scope)
    return "outside", []


def is_expired(aid: Aid, today: dt.date) -> bool:
    return aid.deadline is not None and aid.deadline < today and aid.recurrence == "one_off"


def _territory(aid: Aid, subject: Subject) -> tuple[str, str] | None:
    """The most precise perimeter reference of the aid that contains the subject."""
    places = set(subject.places)
    best = None
    for ref in aid.perimeter:
        if ref in places:
            level = ref.split(":", 1)[0]
        elif ref == NATIONAL and "FR" in subject.countries:
            level = NATIONAL
        elif ref == EUROPEAN and EU_COUNTRIES.intersection(subject.countries):
            level = EUROPEAN
        else:
            continue
        if best is None or PERIMETER_WEIGHT[level] > PERIMETER_WEIGHT[best[0]]:
            best = (level, ref)
    return best


def match(aids, subject: Subject, today: dt.date, *, limit: int | None = None) -> list[Match]:
    """The aids that fit ``subject`` on ``today``, best first (then the nearest deadline, the name)."""
    found = []
    wanted = {theme: len(subject.themes) - i for i, theme in enumerate(subject.themes)}
    for aid in aids:
        if is_expired(aid, today):
            continue
        if subject.beneficiary not in aid.beneficiaries:
            continue
        where = _territory(aid, subject)
        if where is None:
            continue
        shared = [t for t in subject.themes if t in aid.themes]
        if not shared:
            continue
        fit, covering = scope_fit(aid.scope, subject.materials)
        if fit == "outside":
            continue
        score = PERIMETER_WEIGHT[where[0]] + sum(1.0 + wanted[t] / max(1, len(wanted)) for t in shared)
        reasons = []
        if fit == "covers":
            score += SCOPE_BONUS
            reasons.append(("scope", {"scope": covering}))
        elif fit == "unchecked":
            score -= SCOPE_UNCHECKED_PENALTY
            reasons.append(("scope_unchecked", {"scope": covering}))
        reasons += [("territory", {"level": where[0], "ref": where[1]}),
                    ("beneficiary", {"beneficiary": subject.beneficiary}),
                    ("themes", {"themes": shared})]
        next_session = False
        if aid.deadline is None:
            reasons.append(("no_deadline", {"recurrence": aid.recurrence}))
        elif aid.deadline >= today:
            days = (aid.deadline - today).days
            reasons.append(("deadline", {"date": aid.deadline, "days": days}))
            score += 0.5 if days <= 60 else 0.0
        else:
            next_session = True
            reasons.append(("next_session", {"date": aid.deadline}))
            score -= 0.5
        found.append(Match(aid, round(score, 3), reasons, next_session))
    found.sort(key=lambda m: (-m.score, m.aid.deadline or dt.date.max if not m.next_session else dt.date.max,
                              m.aid.name.lower()))
    return found[:limit] if limit else found


# --- a territory's curation ----------------------------------------------------------------------
#
# The national catalogue is one list; the facilitators of a territory lay their choices over it for
# that territory alone: hide an aid (not offered there), pin it (offered first there), annotate it.
# A viewer stands in several territories at once (a commune, its EPCI, département and région):
# for hiding and pinning the most local territory that decided wins (an EPCI's facilitators may
# bring back what the région hid, or hide what it pinned); every note applies.

#: Most local first.
LEVEL_RANK = {"commune": 0, "epci": 1, "departement": 2, "region": 3}


@dataclass(frozen=True)
class Curation:
    aid: object
    ref: str  # "epci:200093201"
    hidden: bool = False
    pinned: bool = False
    note: str = ""


@dataclass(frozen=True)
class Curated:
    """What a viewer's territories decided for one aid."""

    hidden: bool = False
    pinned: bool = False
    decided_by: str | None = None  # the territory whose hide or pin applies
    notes: tuple[tuple[str, str], ...] = ()  # (territory ref, note), most local first


def _rank(ref: str) -> tuple[int, str]:
    return LEVEL_RANK.get(ref.split(":", 1)[0], len(LEVEL_RANK)), ref


def curated(curations, places) -> dict:
    """aid key → ``Curated`` from the curations of the territories in ``places`` (others ignored)."""
    places = set(places)
    by_aid: dict = {}
    for c in curations:
        if c.ref in places:
            by_aid.setdefault(c.aid, []).append(c)
    out = {}
    for key, items in by_aid.items():
        items.sort(key=lambda c: _rank(c.ref))
        decisive = next((c for c in items if c.hidden or c.pinned), None)
        out[key] = Curated(hidden=bool(decisive and decisive.hidden), pinned=bool(decisive and decisive.pinned),
                           decided_by=decisive.ref if decisive else None,
                           notes=tuple((c.ref, c.note) for c in items if c.note))
    return out


def pinned_first(keys, views: dict) -> list:
    """``keys`` in their order, the pinned ones first (stable)."""
    return sorted(keys, key=lambda k: not views.get(k, Curated()).pinned)
