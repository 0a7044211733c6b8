"""Inferred needs: what a site could take in, guessed from its activity (NACE code or words).

Most firms never declare their needs, so a matching engine that waits for declarations finds
little. Every activity consumes typical materials, energy, water and chemicals; the rule tables
in ``data/`` say which, each rule citing the NACE note, EWC chapter, EU BREF or paper it comes
from. A site is read from ``naf_code`` and ``activity``; its ``name`` only for sector words
(« Cimenterie … », "… Refinery") when neither says enough (naf.name_to_naf); when none of the
three gives an activity, from what the site offers (:func:`deduce_codes`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .naf import activity_to_naf, is_code_title, name_sector_words, name_to_naf, normalise_naf

DATA = Path(__file__).parent / "data"

# A rule written for a more specific code than the site's (site "20", rule "20.14") may or may not
# apply: the site could be any of the classes of its division or group. Such a site takes the
# *typical* inputs of its code: each class's inferred needs averaged over the NACE Rev. 2 classes
# of the division or group (``_partial_profile``), so an input that every class uses keeps its
# weight and one class's speciality counts for its share of the classes; the feedstocks of the
# division's main chains (data/typical_inputs.csv: olefins, aromatics and naphtha for a chemical
# works, process gases for a power company) keep at least the weight of their row.
# Codes guessed from words that a declared code does not confirm (a code outside the declared
# division or group) are trusted a little less than the declared code.
ACTIVITY_WITH_CODE_FACTOR = 0.7


@dataclass(frozen=True, slots=True)
class InferredNeed:
    class_key: str
    weight: float  # plausibility in (0, 1]: rule weight x certainty of the activity code
    rule_id: str
    source: str
    grade: str = ""  # what the activity does with the class (a process recipe's grade), in English
    # When the site's activity was deduced from what it offers (:func:`deduce_codes`): the offered
    # classes that betray it, and the activity deduced; empty for an activity read from words or code.
    deduced_from: tuple[str, ...] = ()
    deduced_code: str = ""


# The rule of a need a site of unknown activity is given as a receiver of last resort (pipeline.UNKNOWN_PRIOR).
UNKNOWN_RULE_PREFIX = "unknown:"


def is_unknown_receiver(rule_id: str | None) -> bool:
    """Whether a proposal's receiver is a site of unknown activity, proposed as a last resort."""
    return bool(rule_id) and rule_id.startswith(UNKNOWN_RULE_PREFIX)


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    naf_prefix: str
    class_key: str
    weight: float
    source: str
    # A process recipe row (data/process_recipes.csv): it says more about the class than the
    # rules of the broader codes (division, group), which it replaces for the activities it covers.
    overrides: bool = False
    # What the activity does with the class or which grade it takes (« hydrogenation », « LP steam
    # 2-4 bar »), apart from the citation so the wording can say it in the reader's language.
    grade: str = ""


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _with_recipes(rules: list[Rule], direction: str) -> tuple[Rule, ...]:
    """The rule table with the process recipes of ``direction`` ("in" or "out"): a recipe row
    replaces the row of the same code and class, and is marked to override broader codes."""
    recipes = {(r["naf_prefix"], r["class_key"]): Rule(r["rule_id"], r["naf_prefix"], r["class_key"], float(r["weight"]),
                                                         r["source"], True, r["grade"])
               for r in _read("process_recipes.csv") if r["direction"] == direction}
    kept = [r for r in rules if (r.naf_prefix, r.class_key) not in recipes]
    return tuple(kept + list(recipes.values()))


# What an authorised hazardous-waste operator takes in only as hazardous waste (data/hazardous_intake.csv):
# a hazardous-waste landfill or treatment plant takes tar-bound asphalt, contaminated ballast or insulation
# with dangerous substances, not their inert kind, which goes to a user or an inert-waste site. Such a rule's
# need is met by hazardous offers only (engine.Needs.hazardous_only); its id starts with this prefix.
HAZARDOUS_ONLY_PREFIX = "haz:"


def hazardous_only(rule_id: str | None) -> bool:
    """Whether a rule (its id) is met by hazardous offers only (``hazardous_intake.csv``)."""
    return bool(rule_id) and rule_id.startswith(HAZARDOUS_ONLY_PREFIX)


def _prefer(weight: float, rule_id: str, cur: InferredNeed | None) -> bool:
    """Whether a rule of ``weight`` replaces the need ``cur`` of the same class: a rule that any offer
    meets before one that only hazardous offers meet (:func:`hazardous_only`), then the heavier, then
    the first id."""
    if cur is None:
        return True
    if hazardous_only(rule_id) != hazardous_only(cur.rule_id):
        return not hazardous_only(rule_id)
    return weight > cur.weight or (weight == cur.weight and rule_id < cur.rule_id)


@lru_cache(maxsize=1)
def use_hierarchy() -> dict[tuple[str, str], tuple[float, str]]:
    """(class, receiving NACE prefix) -> (factor, source) of ``data/use_hierarchy.csv``: a receiver whose use of
    the class stands lower in the waste hierarchy than another use the rules know (a feed material digested,
    composted or burnt rather than fed: the food use hierarchy, Commission Notice 2018/C 133/02; waste oil burnt
    rather than regenerated: Directive 2008/98/EC art. 21)."""
    return {(r["class_key"], r["naf_prefix"]): (float(r["factor"]), r["source"]) for r in _read("use_hierarchy.csv")
            if not r.get("phrases")}


@lru_cache(maxsize=1)
def _use_hierarchy_grades() -> dict[tuple[str, str], str]:
    """(class, receiving NACE prefix) -> what the card says of that lower use (a recipe grade; empty: nothing)."""
    return {(r["class_key"], r["naf_prefix"]): r.get("grade") or "" for r in _read("use_hierarchy.csv")}


@lru_cache(maxsize=1)
def _use_hierarchy_by_words() -> tuple[tuple[str, str, tuple[str, ...], float, str, str], ...]:
    """The rows of ``data/use_hierarchy.csv`` that hold for a site of the prefix only when its words or name say one
    of their phrases (a hazardous-waste incinerator among the sites of NACE 38.22): (class, prefix, phrases, factor,
    source, grade)."""
    return tuple((r["class_key"], r["naf_prefix"], tuple(p.strip() for p in r["phrases"].split("|") if p.strip()),
                  float(r["factor"]), r["source"], r.get("grade") or "")
                 for r in _read("use_hierarchy.csv") if r.get("phrases"))


def _ranked(rule: Rule) -> Rule:
    """``rule`` with the factor of the lowest-ranked use it makes (:func:`use_hierarchy`). The card cites the rule
    that makes the proposal: the hierarchy's source is added only where its row says the lower use in words (its
    grade: « valorisation énergétique, après la régénération »), never a feed regulation on a composting plant's card."""
    hit = next(((k, p) for (k, p) in sorted(use_hierarchy(), key=lambda kp: -len(kp[1]))
                if k == rule.class_key and rule.naf_prefix.startswith(p)), None)
    if hit is None:
        return rule
    factor, source = use_hierarchy()[hit]
    grade = _use_hierarchy_grades()[hit]
    return Rule(rule.rule_id, rule.naf_prefix, rule.class_key, round(rule.weight * factor, 4),
                _ranked_source(rule.source, source, grade), rule.overrides, grade or rule.grade)


def _ranked_source(rule_source: str, hierarchy_source: str, grade: str) -> str:
    return f"{rule_source}; {hierarchy_source}" if grade else rule_source


def _ranked_by_words(best: dict[str, "InferredNeed"], codes: list[str], text: str, said: tuple[str, ...]) -> None:
    """The same ranking (:func:`_ranked`) for a use that a site's words name: a site held to have one of ``codes``
    whose activity ``text`` or name (``said``) says one of a row's phrases makes that lower use of the class."""
    for key, prefix, phrases, factor, source, grade in _use_hierarchy_by_words():
        need = best.get(key)
        if (need is None or not any(_relation(c, prefix) == 1.0 for c in codes)
                or not any(_says(text, p) or p in said for p in phrases)):
            continue
        best[key] = InferredNeed(key, round(need.weight * factor, 4), need.rule_id,
                                 _ranked_source(need.source, source, grade), grade or need.grade)


# Steam users ranked by how much of their energy is steam (data/steam_intensity.csv): with at most three receivers
# per offer, a surplus of steam should reach the sites whose process runs on steam (pulp and paper, food, chemicals)
# before those that burn most of their fuel in direct-fired heaters (refining). Each
# steam rule's weight is multiplied by (share / all-industry share) ** STEAM_SHARE_EXPONENT when the share is below
# the all-industry share (a sector at or above it keeps its recipe's weight: raising the first user of an offer
# above 1 or far above the others made the relative cut drop documented second users, fresh check set): a damped
# factor, so the share reorders users whose process rules weigh alike (a refinery's 0.85 and a polymer plant's 0.8)
# without overriding what a recipe says of a process (a cement kiln takes no steam whatever its division burns).
# A sector without a figure counts the all-industry share (factor 1). Source of the shares and of
# the all-industry share: Einstein, Worrell & Khrushch 2001 (ACEEE Summer Study, LBNL-49081), from US DOE MECS:
# 37 % of the fossil fuel burnt in US industry raises steam.
STEAM_CLASS = "steam"
STEAM_SHARE_ALL_INDUSTRY_PCT = 37.0
STEAM_SHARE_EXPONENT = 0.25


@lru_cache(maxsize=1)
def steam_intensity() -> dict[str, tuple[float, str]]:
    """NACE prefix -> (share of the sector's fuel burnt to raise steam, in %, source)."""
    return {r["naf_prefix"]: (float(r["steam_share_of_fuel_pct"]), r["source"]) for r in _read("steam_intensity.csv")}


def steam_factor(naf_prefix: str) -> tuple[float, str]:
    """The factor of a steam rule written for ``naf_prefix`` (:data:`STEAM_SHARE_EXPONENT`), and the source of its
    share; (1.0, "") for a sector without a figure."""
    hit = next((p for p in sorted(steam_intensity(), key=len, reverse=True) if naf_prefix.startswith(p)), None)
    if hit is None:
        return 1.0, ""
    share, source = steam_intensity()[hit]
    factor = (share / STEAM_SHARE_ALL_INDUSTRY_PCT) ** STEAM_SHARE_EXPONENT
    return (round(factor, 4), source) if factor < 1.0 else (1.0, "")


def _steam_ranked(rule: Rule) -> Rule:
    """``rule`` with its sector's steam factor (:func:`steam_factor`) when it is a rule of steam intake."""
    if rule.class_key != STEAM_CLASS:
        return rule
    factor, source = steam_factor(rule.naf_prefix)
    if not source:
        return rule
    return Rule(rule.rule_id, rule.naf_prefix, rule.class_key, round(rule.weight * factor, 4),
                f"{rule.source}; {source}", rule.overrides, rule.grade)


@lru_cache(maxsize=1)
def input_rules() -> tuple[Rule, ...]:
    intake = [Rule(f"{HAZARDOUS_ONLY_PREFIX}{r['naf_prefix']}:{r['class_key']}", r["naf_prefix"], r["class_key"],
                   float(r["weight"]), r["source"]) for r in _read("hazardous_intake.csv")]
    return tuple(_steam_ranked(_ranked(r)) for r in _with_recipes(
        [Rule(r["rule_id"], r["naf_prefix"], r["input_class_key"], float(r["weight"]), r["source"])
         for r in _read("activity_inputs.csv")] + intake, "in"))


@lru_cache(maxsize=1)
def output_rules() -> tuple[Rule, ...]:
    return _with_recipes([Rule(r["rule_id"], r["naf_prefix"], r["output_class_key"], float(r["weight"]), r["source"])
                          for r in _read("activity_outputs.csv")], "out")


@lru_cache(maxsize=1)
def typical_input_rules() -> tuple[Rule, ...]:
    """Inputs typical of a division or group read at that level (data/typical_inputs.csv): the
    feedstocks of the main chains of the chemical industry for a chemical works of unknown class
    (lower olefins, aromatics, naphtha), the process gases that power and CHP plants burn."""
    return tuple(Rule(r["rule_id"], r["naf_prefix"], r["class_key"], float(r["weight"]), r["source"], False, r["grade"])
                 for r in _read("typical_inputs.csv"))


@lru_cache(maxsize=1)
def _typical_index() -> dict[str, tuple[Rule, ...]]:
    return _by_prefix(typical_input_rules())


@lru_cache(maxsize=1)
def hazardous_rules() -> tuple[tuple[str, frozenset[str] | None, str], ...]:
    """(prefix, accepted class keys or None for any hazardous waste, source)."""
    out = []
    for r in _read("hazardous_receivers.csv"):
        keys = r["accepted_classes"].split()
        out.append((r["naf_prefix"], None if keys == ["*"] else frozenset(keys), r["source"]))
    return tuple(out)


# A need declared for a grade of water may be met by a lesser water its use tolerates (data/declared_need_stand_ins.csv):
# a cooling circuit's make-up takes treated wastewater (EU BREF ICS 2001). Only a declared need: the cooling-water need
# inferred for a fish farm or a greenhouse is for the warmth of a power station's cooling water, not for make-up.
@lru_cache(maxsize=1)
def declared_need_stand_ins() -> dict[str, tuple[InferredNeed, ...]]:
    """Declared need class -> the classes (stand-ins) such a need also accepts, with weight, grade and source."""
    out: dict[str, list[InferredNeed]] = {}
    for r in _read("declared_need_stand_ins.csv"):
        out.setdefault(r["need_class_key"], []).append(
            InferredNeed(r["stand_in_class_key"], float(r["weight"]), f"declared:{r['need_class_key']}", r["source"],
                         r["grade"]))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def water_cascades() -> tuple[tuple[str, str, float], ...]:
    """(offer class, need class, weight): a water of one grade serving a less demanding use."""
    return tuple((r["offer_class_key"], r["need_class_key"], float(r["weight"])) for r in _read("water_cascades.csv"))


def class_substitutes() -> tuple[tuple[str, str, float], ...]:
    """(offer class, need class it can serve, weight < 1): near-equivalent materials."""
    return tuple((r["offer_class_key"], r["need_class_key"], float(r["weight"])) for r in _read("class_substitutes.csv"))


@lru_cache(maxsize=1)
def accounting_recipes() -> frozenset[tuple[str, str]]:
    """(material, virgin material it replaces) of the impact recipes that are accounting only
    (``data/accounting_recipes.csv``): the credit of a use (sawdust and grade-B wood as chips for particleboard
    replace virgin wood) that is no substitution a receiver of the virgin material can make (a furniture maker
    needs sawn timber, not chips). Matching leaves them out; the receivers of that use have their own rules."""
    return frozenset((r["material_key"], r["replaces_key"]) for r in _read("accounting_recipes.csv"))


@lru_cache(maxsize=1)
def input_exclusions() -> dict[str, frozenset[str]]:
    """NACE prefix -> input classes its broader group's rules name but this activity does not
    take (a plasterboard plant is in group 23.6 with concrete works, yet takes no aggregates)."""
    out: dict[str, set[str]] = {}
    for r in _read("activity_exclusions.csv"):
        out.setdefault(r["naf_prefix"], set()).add(r["class_key"])
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def own_class_rules() -> dict[str, frozenset[str]]:
    """NACE prefix -> need classes that activity takes only as themselves (``data/own_class_needs.csv``): a glass
    furnace's sand, limestone and blast furnace slag are batch materials of set purity, so the near classes that
    stand in for them elsewhere (foundry sand, carbonation lime, steel slag as aggregates) are no substitutes there."""
    out: dict[str, set[str]] = {}
    for r in _read("own_class_needs.csv"):
        out.setdefault(r["naf_prefix"], set()).add(r["class_key"])
    return {k: frozenset(v) for k, v in out.items()}


def own_class_needs(naf_code: str | None, activity: str | None, name: str | None = None) -> frozenset[str]:
    """The need classes a site meets only with offers of that very class (:func:`own_class_rules`), read from the
    codes it is held to have with reasonable certainty (declared, or read from its words)."""
    found: set[str] = set()
    for code, conf in site_codes(naf_code, activity, name):
        if conf < 0.5:
            continue
        for prefix, keys in own_class_rules().items():
            if _relation(code, prefix) == 1.0:
                found |= keys
    return frozenset(found)


def _excluded(code: str) -> frozenset[str]:
    found: set[str] = set()
    for prefix, keys in input_exclusions().items():
        if _relation(code, prefix) == 1.0:
            found |= keys
    return frozenset(found)


# Recovery, collection and scrap trade take "any recyclable" in the rule tables (NACE 38.1, 38.3,
# 46.77 name no material); a firm that says which material it recovers ("plastics recycler",
# "metal recycling", "aggregates recycling") takes that family only.
RECYCLER_PREFIXES = ("38.1", "38.3", "46.77")
FAMILY_WORDS: dict[str, frozenset[str]] = {
    "plastic": frozenset({"plastics", "packaging"}), "plastique": frozenset({"plastics", "packaging"}),
    "polymer": frozenset({"plastics"}), "pet": frozenset({"plastics"}),
    "tyre": frozenset({"plastics"}), "tire": frozenset({"plastics"}), "rubber": frozenset({"plastics"}),
    "pneu": frozenset({"plastics"}), "caoutchouc": frozenset({"plastics"}),
    "metal": frozenset({"metals", "electronics"}), "scrap": frozenset({"metals", "electronics"}),
    "ferraille": frozenset({"metals"}), "metaux": frozenset({"metals"}), "steel": frozenset({"metals"}),
    "aluminium": frozenset({"metals"}), "aluminum": frozenset({"metals"}), "copper": frozenset({"metals"}),
    "glass": frozenset({"glass"}), "verre": frozenset({"glass"}),
    "paper": frozenset({"paper", "packaging"}), "cardboard": frozenset({"paper", "packaging"}),
    "papier": frozenset({"paper", "packaging"}), "carton": frozenset({"paper", "packaging"}),
    "wood": frozenset({"wood"}), "bois": frozenset({"wood"}), "pallet": frozenset({"wood"}), "palette": frozenset({"wood"}),
    "textile": frozenset({"textiles"}), "fibre": frozenset({"textiles"}), "cloth": frozenset({"textiles"}),
    "aggregate": frozenset({"construction", "minerals"}), "rubble": frozenset({"construction", "minerals"}),
    "inert": frozenset({"construction", "minerals"}), "granulat": frozenset({"construction", "minerals"}),
    "gravat": frozenset({"construction", "minerals"}),
    "weee": frozenset({"electronics", "metals"}), "electronic": frozenset({"electronics", "metals"}),
    "deee": frozenset({"electronics", "metals"}), "battery": frozenset({"electronics"}), "batterie": frozenset({"electronics"}),
    "oil": frozenset({"chemicals"}), "solvent": frozenset({"chemicals"}), "huile": frozenset({"chemicals"}),
}


# A waste operator names its trade by the waste it treats ("salt slag recycling", "tyre recycling", "solvent
# recovery", "used oil re-refining", « régénération de solvants », "Altölaufbereitung" ...): its permit lists the
# types of waste it may treat (Directive 2008/98/EC art. 23(1): the permit specifies the types and quantities of
# waste that may be treated; NACE Rev. 2 38.2 and 38.3: treatment and recovery of the waste the unit receives). So
# a site of the recovery and treatment codes whose activity says a recovery word takes the class that the words
# before it (or after "of", « de », "von") name, read as the exact name of a class only, as surely as a process
# scope's main feedstock (a site known by its division 38 only is read so too). It reads every class a waste can
# be, hazardous ones included: a site that says it treats salt slag or spent solvents holds the permit for them.
TREATER_PREFIXES = ("38.1", "38.2", "38.3", "46.77")
TREATMENT_WORDS = frozenset("""recycling recycler recyclers recovery recoveries re-refining rerefining refining
regeneration reprocessing reprocessor treatment processing reclamation recycle recyclage recycleur valorisation
regeneration retraitement traitement aufbereitung verwertung wiederaufbereitung recycling-anlage riciclo
recupero""".split())
TREATED_CLASS_WEIGHT = 0.85
_TREATED_LINKS = ("of", "from", "de", "des", "du", "d", "von", "der", "aus", "di", "dei", "del")


@lru_cache(maxsize=4096)
def treated_classes(activity: str | None) -> tuple[str, ...]:
    """The classes an activity's words say the site treats ("Salt slag recycling" -> salt_slag): the words before
    a recovery word, or those after it and a link word ("recovery of spent catalysts"), read as a class's exact
    name; none when the words name no class exactly."""
    from boucle.materials.classify import classify_label
    from .naf import normalise

    words = normalise((activity or "").split(" _ ")[0]).replace("(", " ").replace(")", " ").split()
    found: list[str] = []
    for i, w in enumerate(words):
        if w not in TREATMENT_WORDS:
            continue
        before = " ".join(words[max(0, i - 3):i])
        after = words[i + 1:i + 5]
        if after and after[0] in _TREATED_LINKS:
            after = after[1:]
            if after and after[0] in _TREATED_LINKS:
                after = after[1:]
        else:
            after = []
        for phrase in (before, " ".join(after)):
            if not phrase:
                continue
            matches = classify_label(phrase)
            if matches and matches[0].method == "exact_synonym" and matches[0].key not in found:
                found.append(matches[0].key)
    return tuple(found)


# A power station whose words name how it makes heat takes only what that process burns: a
# nuclear station burns no fuel (its heat is fission), a gas turbine or combined cycle burns gas
# (a solid fuel cannot feed a gas turbine). EU BREF Large Combustion Plants 2017, scope and
# chapters by fuel (solid, biomass, liquid, gaseous fuels, co-incineration of waste); IAEA,
# "Nuclear Power Reactors in the World" (heat from fission). Cooling water, steam, gases and
# services stay. Coal, lignite or biomass stations keep every fuel: co-firing biomass, fuel gas
# or waste is common practice (BREF LCP 2017, 5.1 and 5.2).
POWER_PREFIX = "35"
NUCLEAR_WORDS = frozenset("nuclear nucleaire atomic kernkraftwerk kkw".split())
NOT_FUEL_GROUPS = frozenset({"water", "energy", "gases", "services", "equipment"})


def _power_process(activity: str | None) -> str | None:
    from .naf import normalise

    text = " " + normalise(activity or "") + " "
    if any(f" {w} " in text for w in NUCLEAR_WORDS) or "kernkraftwerk" in text:
        return "nuclear"
    if any(p in text for p in (" gas fired ", " combined cycle ", " ccgt ", " gas turbine ", " cycle combine ",
                               " turbine a gaz ", " gasturbine", " gud ")):
        return "gas"
    return None


@lru_cache(maxsize=4)
def _power_exclusions(process: str) -> frozenset[str]:
    from boucle.materials.taxonomy import load_classes

    keep = {c.key for c in load_classes() if c.group in NOT_FUEL_GROUPS}
    if process == "gas":
        keep |= {c.key for c in load_classes() if c.group == "fuels" and c.physical_state == "gas"}
    return frozenset(c.key for c in load_classes() if c.key not in keep)


# A site whose words name its process inside a broad NACE class takes only what that process
# uses, and its main feedstocks more surely than the class's rules say (data/process_scopes.csv): a
# fermentation ethanol plant is in class 20.14 with crackers and oxidation plants, yet takes
# sugars, starch by-streams, steam and water, not naphtha, hydrogen or chlorine.
#
# A waste treatment or disposal site (NACE 38.21) is a landfill, an incinerator, a composting or digestion plant or a
# sorting centre, each taking what its permit allows; such a site is named by its kind (« ISDND de … », « UIOM de
# … », « Plate-forme de compostage », "… Deponie"), so the phrases of the rows of NACE 38.2 are read in the site's
# name too (:func:`permit_words`). A row whose phrases are "*" is the reading of a site of its code whose words name
# none of the code's processes: a bare 38.21 may be a landfill, so it takes no liquid.
#
# A recovery site of sorted materials (NACE 38.32) or a waste and scrap merchant (46.77) is known by the material it
# recovers (« Récupération de métaux », « Ferrailleur », "Schrotthandel", « Recyclage de plastiques »), in its words
# or its name: it takes that family only (the union when it names several); one whose words and name name none keeps
# the class's rules (no "*" row).
NAMED_SCOPE_PREFIXES = ("38.2", "38.32", "46.77")


@dataclass(frozen=True, slots=True)
class ProcessScope:
    naf_prefix: str
    phrases: tuple[str, ...]
    keeps: frozenset[str]
    takes: tuple[tuple[str, float], ...]
    source: str
    in_name: bool = False
    grade: str = ""  # what the process does with the classes it takes (a recipe grade), said on the card

    @property
    def fallback(self) -> bool:
        return self.phrases == ("*",)


def _scope_items(item: str) -> set[str]:
    """The classes one item of a scope's "keeps" names: a class key, "group:<group>", "state:<physical state>" or "*"
    (every class: the row only raises the weight of what it "takes")."""
    if item == "*":
        return set(_class_groups())
    if item.startswith("group:"):
        return {k for k, g in _class_groups().items() if g == item[6:]}
    if item.startswith("state:"):
        return {k for k, st in _class_states().items() if st == item[6:]}
    return {item}


@lru_cache(maxsize=1)
def process_scopes() -> tuple[ProcessScope, ...]:
    out = []
    for r in _read("process_scopes.csv"):
        # "keeps" lists the classes (or "group:…") the process takes; "-key", "-group:…" or "-state:liquid" items
        # drop those classes from them, or from every class when the row lists only such items.
        items = r["keeps"].split()
        keeps: set[str] = set(_class_groups()) if items and all(i.startswith("-") for i in items) else set()
        for item in (i for i in items if not i.startswith("-")):
            keeps |= _scope_items(item)
        for item in (i for i in items if i.startswith("-")):
            keeps -= _scope_items(item[1:])
        takes = tuple((k, float(w)) for k, w in (t.split(":") for t in r["takes"].split()))
        out.append(ProcessScope(r["naf_prefix"], tuple(p.strip() for p in r["phrases"].split("|") if p.strip()),
                                frozenset(keeps | {k for k, _ in takes}), takes, r["source"],
                                any(_relation(r["naf_prefix"], p) == 1.0 for p in NAMED_SCOPE_PREFIXES),
                                r.get("grade") or ""))
    return tuple(out)


def _scopes(code: str, activity: str | None, said: tuple[str, ...] = ()) -> list[ProcessScope]:
    """The process scopes a site of ``code`` is read with: those whose phrases its activity words say, or, for a
    row read in names, its activity or name (``said``: :func:`permit_words`); else the code's "*" row, if any."""
    return list(_scopes_of(code, _activity_text(activity), said))


@lru_cache(maxsize=8192)
def _activity_text(activity: str | None) -> str:
    from .naf import normalise

    return " " + normalise(activity or "") + " "


@lru_cache(maxsize=8192)
def _scopes_of(code: str, text: str, said: tuple[str, ...]) -> tuple[ProcessScope, ...]:
    mine = [s for s in process_scopes() if _relation(code, s.naf_prefix) == 1.0]
    found = tuple(s for s in mine if not s.fallback
                  and any(_says(text, p) or (s.in_name and p in said) for p in s.phrases))
    return found or tuple(s for s in mine if s.fallback)


def _says(text: str, phrase: str) -> bool:
    """Whether normalised ``text`` holds ``phrase``: its words in a row, or, for "biomass+power",
    each of the words anywhere (« energy production from biomass », "biomass-fired power plant")."""
    if "+" in phrase:
        return all(f" {w} " in text for w in phrase.split("+"))
    return f" {phrase} " in text


def _scope_exclusions(code: str, activity: str | None, said: tuple[str, ...] = ()) -> frozenset[str]:
    """The classes the site's process scopes do not keep. Words naming several processes of a manufacturing class
    narrow each other ("MDI (isocyanates) production" is the MDI row within the isocyanates one); a waste site
    often runs several treatments (a landfill with a composting platform, EU BREF WT 2018 1.1), and keeps what
    each of them takes."""
    scopes = _scopes(code, activity, said)
    if not scopes:
        return frozenset()
    every = frozenset(_class_groups())
    if all(s.in_name for s in scopes):
        return every.difference(*(s.keeps for s in scopes))
    return every.difference(frozenset.intersection(*(s.keeps for s in scopes)))


# Some input classes are waste that only a plant holding a waste incineration or co-incineration permit may burn
# (data/permit_inputs.csv): solid recovered fuel (SRF/RDF, EWC 19 12 10) goes to a cement kiln, an incinerator, a
# dedicated SRF boiler or a power station that burns waste (Directive 2010/75/EU chapter IV; in France ICPE rubriques
# 2971 and 2771), never to an ordinary district-heating boiler house, although the rules of its code name the fuel.
# An inferred need for such a class stays only at a site whose code is under a row's prefix and, when the row lists
# phrases, whose activity or name says one of them (« UIOM », « chaufferie CSR », "waste-to-energy"). A declared
# need is the site's own word and stays.
@lru_cache(maxsize=1)
def permit_inputs() -> dict[str, tuple[tuple[str, tuple[str, ...], str], ...]]:
    """Class -> (NACE prefix, phrases (empty: any site of the prefix), source) of ``data/permit_inputs.csv``."""
    out: dict[str, list[tuple[str, tuple[str, ...], str]]] = {}
    for r in _read("permit_inputs.csv"):
        phrases = tuple(p.strip() for p in r["phrases"].split("|") if p.strip())
        out.setdefault(r["class_key"], []).append((r["naf_prefix"], phrases, r["source"]))
    return {k: tuple(v) for k, v in out.items()}


def permit_words(activity: str | None, name: str | None) -> tuple[str, ...]:
    """The phrases that a site's activity or name says of the kind of plant it is (most sites: none): those of
    ``permit_inputs.csv`` (it may burn waste) and those of the process scopes read in names (``process_scopes.csv``,
    ``in_name``: a landfill, an incinerator, a composting platform). A place in the name says nothing of the
    plant: « Récupération de Bois-Guillaume » recovers no wood (:func:`naf.strip_place_names`)."""
    from .naf import normalise, strip_place_names

    text = " " + normalise(f"{activity or ''} {strip_place_names(name) if name else ''}") + " "
    return _permit_words(text)


@lru_cache(maxsize=1)
def _permit_phrases() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """The phrases :func:`permit_words` looks for: single words (looked up in a set), and the others by their
    first word (a name is looked at only for the phrases whose first word it holds)."""
    every = {p for rows in permit_inputs().values() for _, phrases, _ in rows for p in phrases}
    every |= {p for _, phrases, _, _ in food_contact_rules() for p in phrases}
    every |= {p for _, unless in _food_contact_articles() for p in unless}
    every |= {p for _, _, phrases, _ in word_conditions() for p in phrases}
    every |= {p for s in process_scopes() if s.in_name and not s.fallback for p in s.phrases}
    several: dict[str, list[str]] = {}
    for p in sorted(q for q in every if " " in q or "+" in q):
        several.setdefault(p.replace("+", " ").split()[0], []).append(p)
    return frozenset(p for p in every if " " not in p and "+" not in p), {k: tuple(v) for k, v in several.items()}


@lru_cache(maxsize=8192)
def _permit_words(text: str) -> tuple[str, ...]:
    single, several = _permit_phrases()
    words = set(text.split())
    found = single.intersection(words) | {p for w in words for p in several.get(w, ()) if _says(text, p)}
    return tuple(sorted(found))


# A maker of food-contact packaging (data/food_contact.csv: NACE 22.2 whose activity or name says food) may put in
# contact with food only virgin polymer and plastic recycled by an authorised process, in practice PET collected
# from food use (Regulation (EC) No 1935/2004 art. 3; Regulation (EU) 2022/1616 Annex I). It is proposed no other
# plastic: its inferred needs lose them, and a declared need for plastics of such a site, or any need whose own
# label says food contact, is read as food-grade PET (pipeline._food_contact_rows).
@lru_cache(maxsize=1)
def food_contact_rules() -> tuple[tuple[str, tuple[str, ...], frozenset[str], str], ...]:
    """(NACE prefix, food phrases, plastics classes kept, source) of ``data/food_contact.csv``."""
    return tuple((r["naf_prefix"], tuple(p.strip() for p in r["phrases"].split("|") if p.strip()),
                  frozenset(r["keeps"].split()), r["source"]) for r in _read("food_contact.csv"))


@lru_cache(maxsize=1)
def _food_contact_articles() -> tuple[tuple[frozenset[str], tuple[str, ...]], ...]:
    """Per row of ``data/food_contact.csv``: (the phrases that name an article, not food: « bouteilles »,
    « barquettes »; the phrases that say the article holds something else: « détergents », "cosmetics")."""
    return tuple((frozenset(p.strip() for p in (r.get("articles") or "").split("|") if p.strip()),
                  tuple(p.strip() for p in (r.get("unless") or "").split("|") if p.strip()))
                 for r in _read("food_contact.csv"))


def _says_food(row: int, phrases: tuple[str, ...], said: tuple[str, ...]) -> bool:
    """Whether a site's words ``said`` read as food-contact packaging by row ``row``: a food word, or an article
    (« bouteilles ») unless its words say the article holds detergents, cosmetics or chemicals."""
    articles, unless = _food_contact_articles()[row]
    if any(w in said for w in unless):
        phrases = tuple(p for p in phrases if p not in articles)
    return any(w in said for w in phrases)


def _food_contact_exclusions(code: str, said: tuple[str, ...]) -> frozenset[str]:
    """The plastics a site of ``code`` whose words say ``said`` may not be offered (food-contact packaging)."""
    out: set[str] = set()
    for row, (prefix, phrases, keeps, _) in enumerate(food_contact_rules()):
        if _relation(code, prefix) == 1.0 and _says_food(row, phrases, said):
            out |= {k for k, g in _class_groups().items() if g == "plastics"} - keeps
    return frozenset(out)


FOOD_CONTACT_MARKS = ("contact", "kontakt", "grade", "qualite")


def food_contact_plastics(naf_code: str | None, activity: str | None, name: str | None,
                          label: str | None = None) -> tuple[frozenset[str], str]:
    """(plastics classes a need may not be read as, the class it is read as instead) for a need of this site
    (``label``: the need's own words). Empty unless the site makes food-contact packaging (its code under a row's
    prefix and its activity or name saying food) or the label itself says food contact."""
    said = permit_words(activity, name)
    for row, (prefix, phrases, keeps, _) in enumerate(food_contact_rules()):
        # a need's own label counts only when it says food contact or food grade (« PET qualité alimentaire »), not
        # every food word: « Emballages alimentaires » is a food plant's need for packaging
        strict = tuple(p for p in phrases if any(w in p for w in FOOD_CONTACT_MARKS))
        label_says = bool(label) and any(_says(" " + _normal(label) + " ", p) for p in strict)
        site_says = _says_food(row, phrases, said) and any(
            _relation(c, prefix) == 1.0 for c, _ in site_codes(naf_code, activity, name))
        if label_says or site_says:
            plastics = {k for k, g in _class_groups().items() if g == "plastics"}
            return frozenset(plastics - keeps), "pet"
    return frozenset(), ""


# Some classes of a code's rules are taken only by the sites of the code whose words say the process that takes them
# (data/word_conditions.csv): NACE 37.00 is a sewage works or a septic-tank emptying contractor, and only a works with
# digesters co-digests whey and food residues. A site of the code whose activity or name says none of the phrases is
# not offered them (its inferred needs; a declared need is the site's own word and stays).
@lru_cache(maxsize=1)
def word_conditions() -> tuple[tuple[str, frozenset[str], tuple[str, ...], str], ...]:
    """(NACE prefix, classes, phrases, source) of ``data/word_conditions.csv``."""
    return tuple((r["naf_prefix"], frozenset(r["classes"].split()),
                  tuple(p.strip() for p in r["phrases"].split("|") if p.strip()), r["source"])
                 for r in _read("word_conditions.csv"))


def _word_condition_exclusions(code: str, said: tuple[str, ...]) -> frozenset[str]:
    """The classes a site of ``code`` whose words say ``said`` is not offered (``word_conditions``)."""
    out: set[str] = set()
    for prefix, classes, phrases, _ in word_conditions():
        if _relation(code, prefix) == 1.0 and not any(w in said for w in phrases):
            out |= classes
    return frozenset(out)


def _normal(text: str) -> str:
    from .naf import normalise

    return normalise(text)


def permit_excluded(naf_code: str | None, activity: str | None, name: str | None = None) -> frozenset[str]:
    """The permit classes (``permit_inputs.csv``) a site may not be offered, by none of the codes it is held to have:
    a crude-oil refinery that does not say re-refining takes no waste oil, as itself or standing in for base oil."""
    codes = [c for c, _ in site_codes(naf_code, activity, name)]
    if not codes:
        return frozenset()
    said = permit_words(activity, name)
    return frozenset.intersection(*(_permit_exclusions(c, said) for c in codes))


def _permit_exclusions(code: str, said: tuple[str, ...]) -> frozenset[str]:
    """The permit classes a site of ``code`` whose words say ``said`` may not be offered."""
    return frozenset(k for k, rows in permit_inputs().items()
                     if not any(_relation(code, p) == 1.0 and (not phrases or any(w in said for w in phrases))
                                for p, phrases, _ in rows))


# An industrial-gases plant (NACE 20.11: elemental gases, liquid or compressed air, carbon dioxide)
# is most often an air-separation unit: cryogenic distillation of air driven by electric
# compressors, cooled by water, sometimes by LNG cold; a CO2 plant purifies and liquefies raw CO2
# (NACE Rev. 2 note of 20.11; EU BREF ENE 2009, compressed air and air separation; EU BREF ICS
# 2001). It burns no fuel and raises no process steam, so the division-20 rules for fuels, process
# heat and reagents do not reach it. Only a plant whose words name hydrogen production or steam
# reforming (EU BREF LVIC-AAF 2007 and LVOC 2017: natural gas and hydrogen-rich off-gas as reformer
# feed, steam raising) keeps them. Inputs kept: water, gases (CO2 to liquefy, hydrogen to purify),
# electricity, cold, services and equipment.
GASES_PREFIX = "20.11"
REFORMING_WORDS = frozenset("""hydrogen hydrogene wasserstoff reforming reformer reformage vaporeformage smr
syngas synthesegas dampfreformierung""".split())
GASES_KEPT_GROUPS = frozenset({"water", "gases", "services", "equipment"})
GASES_KEPT_CLASSES = frozenset({"electricity", "cold"})
REFORMER_ONLY = frozenset({"water_demineralised"})  # boiler feed water for the reformer's steam


def _reforming(activity: str | None) -> bool:
    from .naf import normalise

    return any(w in REFORMING_WORDS for w in normalise(activity or "").split())


@lru_cache(maxsize=1)
def _air_separation_exclusions() -> frozenset[str]:
    return frozenset(k for k, g in _class_groups().items()
                     if (g not in GASES_KEPT_GROUPS and k not in GASES_KEPT_CLASSES) or k in REFORMER_ONLY)


@lru_cache(maxsize=1)
def _class_groups() -> dict[str, str]:
    from boucle.materials.taxonomy import load_classes

    return {c.key: c.group for c in load_classes()}


@lru_cache(maxsize=1)
def _class_states() -> dict[str, str]:
    from boucle.materials.taxonomy import load_classes

    return {c.key: c.physical_state for c in load_classes()}


def _named_families(activity: str | None) -> frozenset[str]:
    from .naf import normalise

    found: set[str] = set()
    for word in normalise(activity or "").split():
        for w in (word, word[:-1] if word.endswith("s") else word):
            found |= FAMILY_WORDS.get(w, frozenset())
    return frozenset(found)


def _codes(naf_code: str | None) -> list[str]:
    """'011;012' lists several codes (mixed activities); each is normalised."""
    out = []
    for part in re.split(r"[;,/]", naf_code or ""):
        code = normalise_naf(part)
        if code and code not in out:
            out.append(code)
    return out


def name_codes(activity: str | None, name: str | None) -> tuple[tuple[str, float], ...]:
    """Codes from the sector words of a site's name, when its activity gives no known phrase."""
    if not name or _phrase_known(activity):
        return ()
    return tuple(name_to_naf(name))


def name_reading(activity: str | None, name: str | None) -> tuple[tuple[tuple[str, float], ...], str]:
    """(codes, words) a site's name gives when it is read for its activity: the codes of its sector
    words (:func:`name_codes`) and those words themselves (``naf.name_sector_words``; "" when the name
    gives no code). The words stand for the activity's where those say nothing, so a name-only
    « Équarrissage … », "… Rendering" or « Hefefabrik … » is read with the process scope
    (data/process_scopes.csv) of a rendering or yeast plant, as the same words given as its activity are."""
    codes = name_codes(activity, name)
    return codes, (name_sector_words(name) if codes else "")


def _words_of(activity: str | None, said: str) -> str | None:
    """The words the activity readers look at: the activity's, and the name's sector words if read."""
    return f"{activity or ''} _ {said}" if said else activity


@lru_cache(maxsize=4096)
def _phrase_known(activity: str | None) -> bool:
    """Whether an activity's words hold a known phrase (then a site's name is not read)."""
    return max((c for _, c in activity_to_naf(activity)), default=0.0) >= PHRASE_CONFIDENCE


def site_codes(naf_code: str | None, activity: str | None, name: str | None = None) -> tuple[tuple[str, float], ...]:
    """The NACE codes a site is taken to have, with certainty: declared codes first (1.0), then
    codes read from the activity words (discounted when a code was declared too), then, when the
    activity gives no known phrase, the sector words of the site's name."""
    return _site_codes(naf_code, activity, name_codes(activity, name))


@lru_cache(maxsize=4096)
def _site_codes(naf_code: str | None, activity: str | None, from_name: tuple) -> tuple[tuple[str, float], ...]:
    declared = _codes(naf_code)
    found: dict[str, float] = {c: 1.0 for c in declared}
    words: dict[str, float] = {}
    # The title of a declared code is that code (naf.is_code_title): its words name no other one.
    said = () if any(is_code_title(activity, c) for c in declared) else activity_to_naf(activity)
    for code, conf in list(said) + list(from_name):
        words[code] = max(words.get(code, 0.0), conf)
    # Words choose the class; a declared division or group confirms the classes inside it (and the
    # words' classes outside it are dropped when some fall inside: the code is a fact about the
    # site, the words a reading of them). Words the code contradicts entirely stay, discounted.
    partial = [c for c in declared if len(c) < 5]
    words = _alternative_homes(words, partial)
    inside = {c for c in words if any(c != p and _relation(c, p) == 1.0 for p in partial)}
    for code, conf in words.items():
        if inside and code not in inside and not any(_relation(code, d) == 1.0 for d in declared):
            continue
        if code in inside:
            conf = confirmed(conf)
        elif declared:
            conf *= ACTIVITY_WITH_CODE_FACTOR
        found[code] = max(found.get(code, 0.0), round(conf, 4))
    return tuple(sorted(found.items(), key=lambda t: (-t[1], t[0])))


@lru_cache(maxsize=1)
def code_alternatives() -> dict[str, tuple[str, ...]]:
    """NACE class -> other classes NACE Rev. 2 places the same trade in (data/code_alternatives.csv):
    a biogas plant is 35.21 (gas from agricultural by-products or waste) or 38.21 (treatment of
    non-hazardous waste with production of biogas), as its operator declares it."""
    out: dict[str, list[str]] = {}
    for r in _read("code_alternatives.csv"):
        out.setdefault(r["naf_code"], []).append(r["alternative"])
    return {k: tuple(v) for k, v in out.items()}


def _alternative_homes(words: dict[str, float], partial: list[str]) -> dict[str, float]:
    """The words' classes, each one outside the declared division or group replaced by the class
    NACE also places that trade in, when that one lies inside (« biogas production » declared in
    division 38 is class 38.21, not 35.21 contradicted by the code)."""
    if not partial:
        return words
    out: dict[str, float] = {}
    for code, conf in words.items():
        if not any(_relation(code, p) == 1.0 for p in partial):
            alt = next((a for a in code_alternatives().get(code, ()) if any(_relation(a, p) == 1.0 for p in partial)), None)
            if alt is not None:
                code = alt
        out[code] = max(out.get(code, 0.0), conf)
    return out


def confirmed(conf: float) -> float:
    """Certainty of a class read from words and lying inside the declared division or group: the
    code rules out every other division, so half of the remaining doubt goes."""
    return 1.0 - (1.0 - conf) * CONFIRMED_DOUBT


CONFIRMED_DOUBT = 0.5


# activity_to_naf gives ≥ 0.8 for a known phrase, ≤ 0.6 for a guess from the NACE notes.
PHRASE_CONFIDENCE = 0.8


def _relation(code: str, prefix: str) -> float:
    """1 if the rule written for ``prefix`` covers the code (the code is the prefix or inside it)."""
    if code == prefix or code.startswith(prefix + ".") or (len(prefix) == 4 and code.startswith(prefix)):
        return 1.0
    return 0.0


@lru_cache(maxsize=1)
def nace_classes() -> tuple[str, ...]:
    """The classes (four digits) of NACE Rev. 2, from its notes."""
    with (DATA / "nace_rev2_notes.csv").open(encoding="utf-8") as fh:
        return tuple(r["code"] for r in csv.DictReader(fh) if r["level"] == "4")


def classes_of(code: str) -> tuple[str, ...]:
    """The NACE classes inside a division ('20') or group ('20.1'); the code itself for a class."""
    if len(code) >= 5:
        return (code,)
    return tuple(c for c in nace_classes() if _relation(c, code) == 1.0) or (code,)


def _by_prefix(rules: tuple[Rule, ...]) -> dict[str, tuple[Rule, ...]]:
    out: dict[str, list[Rule]] = {}
    for r in rules:
        out.setdefault(r.naf_prefix, []).append(r)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _input_index() -> dict[str, tuple[Rule, ...]]:
    return _by_prefix(input_rules())


@lru_cache(maxsize=1)
def _output_index() -> dict[str, tuple[Rule, ...]]:
    return _by_prefix(output_rules())


def _apply_code(index: dict[str, tuple[Rule, ...]], code: str, skip: frozenset[str]) -> dict[str, InferredNeed]:
    """Needs of a site of one NACE code held for certain: the rules of the code and its ancestors
    (division, group), a recipe row replacing for its class the rules of broader codes (a gases
    plant is in division 20, yet raises little steam)."""
    related = [p for p in dict.fromkeys((code[:2], code[:4], code)) if p in index]
    floor: dict[str, int] = {}
    for prefix in related:
        for rule in index[prefix]:
            if rule.overrides:
                floor[rule.class_key] = max(floor.get(rule.class_key, 0), len(prefix))
    best: dict[str, InferredNeed] = {}
    for prefix in related:
        for rule in index[prefix]:
            if rule.class_key in skip or len(prefix) < floor.get(rule.class_key, 0):
                continue
            cur = best.get(rule.class_key)
            if _prefer(rule.weight, rule.rule_id, cur):
                best[rule.class_key] = InferredNeed(rule.class_key, rule.weight, rule.rule_id, rule.source, rule.grade)
    return best


def _partial_profile(index: dict[str, tuple[Rule, ...]], code: str, excluded,
                     typical: dict[str, tuple[Rule, ...]] | None = None) -> dict[str, InferredNeed]:
    """Typical needs of a division or group: each class's needs averaged over its NACE classes (a
    class without the need counts 0), with the rule of the class that holds it most strongly.

    An average over classes weighs a paint maker like a cracker, so the feedstocks of the main
    chains, each held by two or three of sixteen classes, fall below anything shown (ethylene 0.14
    for division 20), although most of the sales and nearly all the large sites of the division are
    those chains (Cefic Facts & Figures 2018: base chemicals 58.5 % of EU chemical sales). The rows
    of ``typical`` written for this very code (``typical_inputs.csv``) are a floor for their class."""
    leaves = classes_of(code)
    total: dict[tuple[str, bool], float] = {}
    rule: dict[str, InferredNeed] = {}
    for leaf in leaves:
        for key, need in _apply_code(index, leaf, excluded(leaf)).items():
            # a rule that only hazardous offers meet is averaged apart: it is kept only where no other rule is
            part = (key, hazardous_only(need.rule_id))
            total[part] = total.get(part, 0.0) + need.weight
            cur = rule.get(key)
            if _prefer(need.weight, need.rule_id, cur):
                rule[key] = need
    out = {k: InferredNeed(k, total[(k, hazardous_only(r.rule_id))] / len(leaves), r.rule_id, r.source, r.grade)
           for k, r in rule.items()}
    floors = (typical or {}).get(code, ())
    skip = excluded(code) if floors else frozenset()
    for r in floors:
        if r.class_key not in skip and _prefer(r.weight, r.rule_id, out.get(r.class_key)):
            out[r.class_key] = InferredNeed(r.class_key, r.weight, r.rule_id, r.source, r.grade)
    return out


def _apply(index: dict[str, tuple[Rule, ...]], codes, excluded=lambda code: frozenset(),
           typical: dict[str, tuple[Rule, ...]] | None = None) -> list[InferredNeed]:
    best: dict[str, InferredNeed] = {}
    known = [c for c, conf in codes if conf >= confirmed(PHRASE_CONFIDENCE)]
    for code, conf in codes:
        if len(code) < 5:
            # A division or group narrowed by a class that a known phrase of the words names (or a
            # declared class) is that class, whose rules include the division's and group's; else
            # it brings its typical needs.
            if any(c != code and _relation(c, code) == 1.0 for c in known):
                continue
            needs = _partial_profile(index, code, excluded, typical)
        else:
            needs = _apply_code(index, code, excluded(code))
        for key, need in needs.items():
            w = round(need.weight * conf, 4)
            cur = best.get(key)
            if _prefer(w, need.rule_id, cur):
                best[key] = InferredNeed(key, w, need.rule_id, need.source, need.grade)
    return sorted(best.values(), key=lambda n: (-n.weight, n.class_key))


@lru_cache(maxsize=4096)
def _infer_needs(naf_code: str | None, activity: str | None, from_name: tuple,
                 said: str = "", permits: tuple[str, ...] = ()) -> tuple[InferredNeed, ...]:
    codes = _site_codes(naf_code, activity, from_name)
    activity = _words_of(activity, said)
    families = _named_families(activity)
    power = _power_process(activity)
    reforming = _reforming(activity)

    def skip(code: str) -> frozenset[str]:
        out = _excluded(code)
        if families and any(_relation(code, p) == 1.0 for p in RECYCLER_PREFIXES):
            out |= {k for k, g in _class_groups().items() if g not in families}
        if power and _relation(code, POWER_PREFIX) == 1.0:
            out |= _power_exclusions(power)
        if not reforming and _relation(code, GASES_PREFIX) == 1.0:
            out |= _air_separation_exclusions()
        return (out | _scope_exclusions(code, activity, permits) | _permit_exclusions(code, permits)
                | _food_contact_exclusions(code, permits) | _word_condition_exclusions(code, permits))

    best = {n.class_key: n for n in _apply(_input_index(), codes, skip, _typical_index())}
    _ranked_by_words(best, [c for c, conf in codes if conf >= 0.5], _activity_text(activity), permits)
    for code, conf in codes:
        permit_excluded = (_permit_exclusions(code, permits) | _food_contact_exclusions(code, permits)
                           | _word_condition_exclusions(code, permits))
        for scope in _scopes(code, activity, permits):
            for key, weight in scope.takes:
                if key in permit_excluded:
                    continue
                w = round(weight * conf, 4)
                if key not in best or w > best[key].weight:
                    best[key] = InferredNeed(key, w, f"scope:{scope.naf_prefix}:{key}", scope.source, scope.grade)
        if code == "38" or any(_relation(code, p) == 1.0 for p in TREATER_PREFIXES):
            for key in treated_classes(activity):
                w = round(TREATED_CLASS_WEIGHT * conf, 4)
                if key not in best or w > best[key].weight:
                    best[key] = InferredNeed(key, w, f"treats:{code}:{key}",
                                             "Directive 2008/98/EC art. 23(1) (the permit specifies the types of "
                                             "waste treated); NACE Rev. 2 38.2 and 38.3")
    return tuple(sorted(best.values(), key=lambda n: (-n.weight, n.class_key)))


def infer_needs(naf_code: str | None, activity: str | None, name: str | None = None) -> list[InferredNeed]:
    """Likely inputs of a site, best first, one per material class (its most plausible rule).

    ``naf_code`` may be given at any level ('23', '23.5', '23.51', '23.51Z', '2351'). A site none of
    the three describes is read from what it offers instead (:func:`deduce_codes`, :func:`deduced_needs`).
    """
    return list(_infer_needs(naf_code, activity, *name_reading(activity, name), permit_words(activity, name)))


# --------------------------------------------------------------------------- activity deduced from offers
# Many sites are known by a company name only (no code, no activity words, no sector word). What
# such a site declares it releases often betrays its trade: blast-furnace slag comes from a
# steelworks, whey from a dairy, brewers' spent grain from a brewery (the EWC chapters and BREF
# outputs the "out" tables cite, read backwards). Only characteristic classes count: a class that
# the output tables give to several divisions says less the more divisions release it (weight
# 1 / divisions), and the classes every site releases say nothing (energy, water, equipment,
# services, packaging, mixed waste, nor what trade and warehousing give off: cardboard, pallets,
# film, food waste). The trades that pass on what others release (waste collection and recovery,
# remediation, trade, warehousing) are never deduced. Several offers pointing to the same activity
# strengthen it (1 - the product of their doubts). Such an activity is a guess from the site's
# products, held below any reading of its words (a name's sector word 0.72-0.9, a guess from the
# NACE notes up to 0.6).
DEDUCED_CONFIDENCE = 0.5
# A single offer of a class three divisions release scores a third of its weight (0.3 at best, read
# for certain): such an offer alone barely deduces anything; two agreeing offers do.
DEDUCED_MIN_SCORE = 0.3
MAX_DEDUCED = 2
UNINFORMATIVE_KINDS = frozenset({"energy", "water", "equipment", "service"})
UNINFORMATIVE_GROUPS = frozenset({"packaging", "mixed_waste"})
INFORMATIVE_FUEL_GROUP = "fuels"  # a works gas or a coke says its process; heat and power do not
TRADE_PREFIXES = ("46", "47", "52")  # what trade and warehousing give off, every site discards
# Sludge from a works' own effluent treatment says no trade: the List of Waste gives "sludges from on-site
# effluent treatment" in nearly every chapter of process industries (02 01 to 02 07, 03 03 11, 04 01 07,
# 04 02 20, 05 01 09*, 06 05 02*, 07 01 11* to 07 07 11*, 08 01 15*, 10 01 20*, 11 01 09*, 19 08 11*...:
# Commission Decision 2000/532/EC as amended by 2014/955/EU), though the output tables give it to one division.
UBIQUITOUS_CLASSES = frozenset({"industrial_wwtp_sludge"})
PASS_ON_PREFIXES = ("38", "39") + TRADE_PREFIXES


@dataclass(frozen=True, slots=True)
class Deduction:
    code: str
    confidence: float
    evidence: tuple[str, ...]  # the offered classes that point to the code, strongest first


@lru_cache(maxsize=1)
def _release_index() -> dict[str, tuple[tuple[str, float], ...]]:
    """Characteristic class -> (activity prefix releasing it, weight x specificity): the output
    tables read backwards (a recipe row replacing the row of the same code and class)."""
    from boucle.materials.taxonomy import load_classes

    info = {c.key: c for c in load_classes()}
    by_class: dict[str, list[Rule]] = {}
    for rule in output_rules():
        by_class.setdefault(rule.class_key, []).append(rule)
    out: dict[str, tuple[tuple[str, float], ...]] = {}
    for key, rules in by_class.items():
        c = info.get(key)
        if c is None or key in UBIQUITOUS_CLASSES or c.group in UNINFORMATIVE_GROUPS or (
                c.kind in UNINFORMATIVE_KINDS and c.group != INFORMATIVE_FUEL_GROUP):
            continue
        if any(_relation(r.naf_prefix, p) == 1.0 for r in rules for p in TRADE_PREFIXES):
            continue  # given off by trade and warehousing: every site discards it
        divisions = {r.naf_prefix[:2] for r in rules}
        kept = tuple((r.naf_prefix, round(r.weight / len(divisions), 4)) for r in rules
                     if not any(_relation(r.naf_prefix, p) == 1.0 for p in PASS_ON_PREFIXES))
        if kept:
            out[key] = kept
    return out


def deduce_codes(offers) -> tuple[Deduction, ...]:
    """The activities (NACE prefixes) that characteristically release the classes a site offers,
    with a certainty held below any reading of words, at most ``MAX_DEDUCED``; empty when no offered
    class is characteristic. ``offers``: (class key, confidence of the reading) pairs."""
    return _deduce(tuple(sorted({k: max(c for k2, c in offers if k2 == k) for k, _ in offers}.items())))


@lru_cache(maxsize=4096)
def _deduce(offers: tuple[tuple[str, float], ...]) -> tuple[Deduction, ...]:
    doubt: dict[str, float] = {}
    evidence: dict[str, list[tuple[float, str]]] = {}
    index = _release_index()
    for key, conf in offers:
        for prefix, strength in index.get(key, ()):
            s = strength * min(1.0, conf)
            doubt[prefix] = doubt.get(prefix, 1.0) * (1.0 - s)
            evidence.setdefault(prefix, []).append((s, key))
    scored = sorted(((1.0 - d, p) for p, d in doubt.items()), key=lambda t: (-t[0], t[1]))
    return tuple(Deduction(p, round(DEDUCED_CONFIDENCE * score, 4),
                           tuple(k for _, k in sorted(evidence[p], key=lambda t: (-t[0], t[1]))))
                 for score, p in scored[:MAX_DEDUCED] if score >= DEDUCED_MIN_SCORE)


def deduced_needs(deduced: tuple[Deduction, ...]) -> tuple[InferredNeed, ...]:
    """Needs of a site whose activity was deduced from its offers (:func:`deduce_codes`)."""
    return _deduced_needs(deduced)


@lru_cache(maxsize=4096)
def _deduced_needs(deduced: tuple[Deduction, ...]) -> tuple[InferredNeed, ...]:
    """Needs of a site whose activity was deduced: the rules of each deduced prefix and of its
    ancestors (the activity that releases those classes, not an average of its group's classes),
    times the deduction's certainty, each need saying what it was deduced from."""
    best: dict[str, InferredNeed] = {}
    for d in deduced:
        # an activity deduced from offers says no words: no permit class (permit_inputs.csv) without them
        for key, need in _apply_code(_input_index(), d.code, _excluded(d.code) | _permit_exclusions(d.code, ())
                                     | _word_condition_exclusions(d.code, ())).items():
            w = round(need.weight * d.confidence, 4)
            cur = best.get(key)
            if _prefer(w, need.rule_id, cur):
                best[key] = InferredNeed(key, w, need.rule_id, need.source, need.grade, d.evidence, d.code)
    return tuple(sorted(best.values(), key=lambda n: (-n.weight, n.class_key)))


def infer_outputs(naf_code: str | None, activity: str | None, name: str | None = None) -> list[InferredNeed]:
    """Typical by-products of an activity (EWC chapters): for demos and plausibility checks."""
    return _apply(_output_index(), site_codes(naf_code, activity, name))


def hazardous_classes_accepted(naf_code: str | None, activity: str | None,
                               name: str | None = None) -> frozenset[str] | None:
    """Hazardous classes the site may receive: None = any (a hazardous-waste facility), an empty
    set = none. Only codes held with reasonable certainty (≥ 0.5) grant an authorisation."""
    accepted: set[str] = set()
    declared = _codes(naf_code)
    # An authorisation is a fact about the site: read from its declared code when there is one;
    # words ("traitement des déchets non dangereux") never widen it.
    codes = [(c, 1.0) for c in declared] if declared else site_codes(naf_code, activity, name)
    for code, conf in codes:
        if conf < 0.5:
            continue
        for prefix, keys, _ in hazardous_rules():
            if _relation(code, prefix) == 1.0:
                if keys is None:
                    return None
                accepted |= keys
    return frozenset(accepted)


def may_receive_hazardous(naf_code: str | None, activity: str | None, class_key: str | None = None,
                          name: str | None = None) -> bool:
    """Whether a site's activity may receive hazardous waste (of ``class_key`` when given)."""
    accepted = hazardous_classes_accepted(naf_code, activity, name)
    if accepted is None:
        return True
    if class_key:
        return class_key in accepted
    # Users of hazardous *products* (acids for pickling) are not waste receivers.
    from boucle.materials.taxonomy import get_class

    return any(get_class(k).role == "by_product" for k in accepted)


# Recovery, treatment and disposal of waste (NACE 38), remediation (39) and the wholesale of waste
# and scrap (46.77): their output is a secondary raw material for a manufacturer (Directive
# 2008/98/EC art. 6, end-of-waste; NACE 38.32 "processing of ... waste into secondary raw
# material"), not a resale to the next operator of the same trade.
WASTE_OPERATOR_PREFIXES = ("38", "39", "46.77")


def is_waste_operator(naf_code: str | None, activity: str | None, name: str | None = None) -> bool:
    """Whether a site's main activity (declared code, else the best code read) is a waste trade."""
    codes = _codes(naf_code) or [c for c, conf in site_codes(naf_code, activity, name)[:1] if conf >= 0.5]
    return any(_relation(c, p) == 1.0 for c in codes[:1] for p in WASTE_OPERATOR_PREFIXES)


# Treatment and disposal of hazardous waste (NACE 38.22: incineration, physico-chemical treatment, stabilisation,
# hazardous-waste landfill): such an operator bills its own gate fee for what it takes, the very fee of the disposal
# the offer's site pays today (impact/data/prices.csv, disposal_fee rows), so sending it there avoids no fee.
HAZARDOUS_TREATER_PREFIXES = ("38.22",)


def is_hazardous_waste_treater(naf_code: str | None, activity: str | None, name: str | None = None) -> bool:
    """Whether a site's main activity (declared code, else the best code read) is the treatment and disposal of
    hazardous waste."""
    codes = _codes(naf_code) or [c for c, conf in site_codes(naf_code, activity, name)[:1] if conf >= 0.5]
    return any(_relation(c, p) == 1.0 for c in codes[:1] for p in HAZARDOUS_TREATER_PREFIXES)


# Treatment and disposal of waste (NACE 38.2: 38.21 non-hazardous -- landfill, incineration, treatment of organic
# waste for disposal --, 38.22 hazardous): the operator bills its own gate fee, the fee of today's disposal
# (impact/data/prices.csv), and what it does with a material is a treatment or a disposal, not the recycling or
# regeneration a recipe's credit is for (NACE Rev. 2 explanatory notes 38.21, 38.22; Directive 2008/98/EC annex I).
DISPOSAL_RECEIVER_PREFIXES = ("38.21", "38.22")


def is_disposal_receiver(naf_code: str | None, activity: str | None, name: str | None = None) -> bool:
    """Whether a site's main activity (declared code, else the best code read) is the treatment and disposal of
    waste (NACE 38.21, 38.22): the pairs it receives save no known euros and claim no recycling credit
    (``impact.engine.exchange_breakdown``'s ``disposal_receiver``, ``impact.vector.score_exchanges``' ``disposal``)."""
    codes = _codes(naf_code) or [c for c, conf in site_codes(naf_code, activity, name)[:1] if conf >= 0.5]
    return any(_relation(c, p) == 1.0 for c in codes[:1] for p in DISPOSAL_RECEIVER_PREFIXES)


@lru_cache(maxsize=1)
def _need_temperatures() -> tuple[tuple[str, str, float, str], ...]:
    return tuple((r["naf_prefix"], r["class_key"], float(r["temperature_c"]), r["source"])
                 for r in _read("need_temperatures.csv"))


@lru_cache(maxsize=65536)
def need_temperature(naf_code: str | None, activity: str | None, class_key: str) -> float | None:
    """The temperature at which an inferred heat need is served, from the site's activity (the
    longest NACE prefix with a row for the class), else the class's default; None for a class
    that is not heat. Each row cites its source or says it is an assumption
    (``data/need_temperatures.csv``)."""
    rows = [r for r in _need_temperatures() if r[1] == class_key]
    if not rows:
        return None
    best, best_len = None, -1
    for code, certainty in site_codes(naf_code, activity):
        for prefix, _cls, temp, _src in rows:
            if prefix != "*" and code.startswith(prefix) and len(prefix) > best_len and certainty > 0:
                best, best_len = temp, len(prefix)
    if best is not None:
        return best
    return next((temp for prefix, _cls, temp, _src in rows if prefix == "*"), None)


def need_temperature_origin(class_key: str | None, temperature_c: float | None,
                            activity: str | None = None) -> tuple[str, str] | None:
    """(NACE prefix or "*", source) of the ``need_temperatures.csv`` row an inferred heat need's temperature
    came from, so a card can say where the figure comes from: the activity's row (« typique de cette
    activité ») or the class's default ("*"). A row whose prefix ``activity`` starts with comes first; None
    when no row of the class has that temperature."""
    if class_key is None or temperature_c is None:
        return None
    rows = [(p, src) for p, cls, temp, src in _need_temperatures() if cls == class_key and abs(temp - temperature_c) < 1e-6]
    if not rows:
        return None
    rows.sort(key=lambda r: (not (activity and r[0] != "*" and activity.startswith(r[0])), r[0] == "*"))
    return rows[0]
