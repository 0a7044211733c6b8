"""Every material a site can offer has somewhere to go (issue 11: parks we never saw offer materials
our development sets never showed). An offer is proposed to a site whose activity takes it in
(knowledge/data/activity_inputs.csv and the ``in`` rows of process_recipes.csv), directly or through
a class the engine lets it serve (impact substitutions, heat cascade, class_substitutes.csv,
water_cascades.csv). A class that no activity receives can only meet a need someone declares: for
an unseen park, it gets nothing."""

import pytest

from boucle.materials.taxonomy import load_classes
from boucle.matching.knowledge.infer import input_rules
from boucle.matching.pipeline import FlowIn, SiteIn, _classes, compatibility, propose

# Shared machines and services (kind equipment or service) are not inferred from an activity: any
# site may need a forklift, storage space or a maintenance team. They meet declared needs and the
# pools of neighbours with the same flow (matching/pooling.py).
SHARED_KINDS = frozenset({"equipment", "service"})

# Classes that genuinely have no receiving activity, with the reason. Empty today: every class a
# site can offer has at least one activity that takes it in. A class added here must say why no
# activity in NACE Rev. 2 would take it.
NO_RECEIVER: dict[str, str] = {}


def _receivers(rules=None) -> dict[str, set[str]]:
    """Class offered -> NACE prefixes of the activities that take it in, directly or as a class it
    may serve."""
    keys, _ = _classes()
    takes: dict[str, set[str]] = {}
    for rule in input_rules() if rules is None else rules:
        takes.setdefault(rule.class_key, set()).add(rule.naf_prefix)
    comp = compatibility()
    out: dict[str, set[str]] = {k: set() for k in keys}
    for oc, nc in zip(comp.offer_cls.tolist(), comp.need_cls.tolist()):
        out[keys[oc]] |= takes.get(keys[nc], set())
    return out


def _offerable():
    return [c for c in load_classes() if c.kind not in SHARED_KINDS]


def _orphans(receivers) -> list[str]:
    return sorted(c.key for c in _offerable() if not receivers[c.key] and c.key not in NO_RECEIVER)


def test_every_class_a_site_can_offer_has_a_receiving_activity():
    assert _orphans(_receivers()) == [], "classes no activity takes in"


def test_the_list_of_classes_without_receiver_is_true_and_explained():
    receivers, keys = _receivers(), {c.key for c in load_classes()}
    for key, reason in NO_RECEIVER.items():
        assert key in keys and len(reason) > 20, key
        assert not receivers[key], f"{key} has receivers now: remove it from NO_RECEIVER"


def test_the_audit_notices_a_class_losing_its_last_receiver():
    # The audit reads the rules the engine reads: without the rules taking clinker in, clinker is
    # reported; a class still served through a substitute (FGD gypsum for natural gypsum) is not.
    kept = [r for r in input_rules() if r.class_key not in ("clinker", "fgd_gypsum")]
    assert _orphans(_receivers(kept)) == ["clinker"]


def _site(site_id, naf, north_km=0.0):
    return SiteIn(site_id, 50.0 + north_km / 111.2, 3.0, naf, WORDS.get(naf, ""))


# NACE 20.59 holds many trades (gelatine, biodiesel, activated carbon, photographic chemicals…): its inputs
# go to a site whose words say which (word_conditions.csv), as a facilitator's import gives them
WORDS = {"20.59": "Gelatine and glue manufacture"}


@pytest.mark.parametrize("label, giver, expected, others", [
    # secondary non-ferrous smelters and scrap merchants, not a sawmill
    ("Mixed non-ferrous metal scrap", "25.62", {"24.44", "46.77"}, ["16.10"]),
    # anode butts go back into the anodes of an aluminium smelter
    ("Carbon anode butts", "24.42", {"24.10"}, ["10.51"]),
    ("Clinker", "23.51", {"23.51"}, ["10.51"]),
    ("Leather shavings", "15.11", {"20.59"}, ["25.62"]),
    ("Peat", "08.92", {"20.15"}, ["25.62"]),
    ("Used blasting grit", "25.61", {"23.51"}, ["10.51"]),
])
def test_materials_never_seen_in_development_reach_the_activities_an_expert_names(label, giver, expected, others):
    sites = [_site("giver", giver)] + [_site(f"s{i}", c, 0.5 + i) for i, c in enumerate(sorted(expected) + others)]
    codes = {s.site_id: s.naf_code for s in sites}
    got = {codes[p.need_site_id] for p in propose(sites, [FlowIn("o", "giver", "offer", label=label)])}
    assert expected <= got and not got & set(others), got
