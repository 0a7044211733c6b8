"""The matcher alone: plain aids and a plain subject in, ranked matches out (no database)."""

import datetime as dt

from boucle.aids import engine
from boucle.aids.engine import Aid, Subject, is_expired, match, themes_for

TODAY = dt.date(2027, 3, 1)
LILLE = Subject(places=("commune:59350", "epci:200093201", "departement:59", "region:32"),
                themes=("circular_economy", "waste"))


def aid(key, perimeter=("FR",), *, beneficiaries=("company",), themes=("circular_economy",), deadline=None,
        recurrence="permanent"):
    return Aid(key, f"Aide {key}", tuple(perimeter), tuple(beneficiaries), tuple(themes), ("grant",), deadline,
               recurrence)


def keys(found):
    return [m.aid.key for m in found]


def test_an_aid_fits_where_its_perimeter_holds_the_site_and_nowhere_else():
    aids = [aid("national"), aid("europe", ("EU",)), aid("region", ("region:32",)), aid("dep", ("departement:59",)),
            aid("epci", ("epci:200093201",)), aid("commune", ("commune:59350",)),
            aid("other-region", ("region:44",)), aid("other-dep", ("departement:62",))]
    found = keys(match(aids, LILLE, TODAY))
    assert set(found) == {"national", "europe", "region", "dep", "epci", "commune"}
    assert found[:4] == ["commune", "epci", "dep", "region"]  # the most local scheme first
    assert found.index("national") < found.index("europe")


def test_a_site_abroad_gets_european_aids_but_not_french_ones():
    belgian = Subject(places=(), countries=("BE",), themes=("circular_economy",))
    assert keys(match([aid("national"), aid("europe", ("EU",))], belgian, TODAY)) == ["europe"]


def test_beneficiary_and_theme_must_both_fit():
    aids = [aid("for-towns", beneficiaries=("local_authority",)), aid("water", themes=("water",)), aid("ok")]
    assert keys(match(aids, LILLE, TODAY)) == ["ok"]


def test_a_one_off_aid_past_its_deadline_is_never_offered():
    closed = aid("closed", deadline=dt.date(2027, 2, 28), recurrence="one_off")
    last_day = aid("last-day", deadline=TODAY, recurrence="one_off")
    assert is_expired(closed, TODAY) and not is_expired(last_day, TODAY)
    found = match([closed, last_day], LILLE, TODAY)
    assert keys(found) == ["last-day"]
    assert ("deadline", {"date": TODAY, "days": 0}) in found[0].reasons
    # the same aid a month earlier is open: the reference date decides, not the clock
    assert keys(match([closed], LILLE, dt.date(2027, 1, 31))) == ["closed"]


def test_permanent_and_recurring_aids_stay_after_a_past_deadline_as_next_session():
    recurring = aid("recurring", deadline=dt.date(2026, 6, 30), recurrence="recurring")
    permanent = aid("permanent")
    found = {m.aid.key: m for m in match([recurring, permanent], LILLE, TODAY)}
    assert found["recurring"].next_session and not found["permanent"].next_session
    assert ("no_deadline", {"recurrence": "permanent"}) in found["permanent"].reasons
    assert keys(match([recurring, permanent], LILLE, TODAY)) == ["permanent", "recurring"]


def test_every_match_says_why():
    (found,) = match([aid("region", ("region:32",), themes=("waste", "energy"))], LILLE, TODAY)
    codes = [code for code, _values in found.reasons]
    assert codes == ["territory", "beneficiary", "themes", "no_deadline"]
    assert found.reasons[0][1] == {"level": "region", "ref": "region:32"}
    assert found.reasons[2][1] == {"themes": ["waste"]}


def test_themes_come_from_what_is_exchanged_and_the_activity():
    assert themes_for(["material"]) == ("circular_economy", "waste")
    assert themes_for(["energy"]) == ("energy", "decarbonisation")
    assert themes_for(["water"], ["23.51Z"]) == ("water", "industry")
    assert themes_for([], ["38.32Z"]) == ("waste",)
    assert set(themes_for(["material"], extra=["innovation", "nonsense"])) == {"circular_economy", "waste", "innovation"}


def test_ties_break_on_the_nearest_deadline_then_the_name():
    later = aid("b-later", deadline=dt.date(2027, 9, 1), recurrence="one_off")
    sooner = aid("c-sooner", deadline=dt.date(2027, 8, 1), recurrence="one_off")
    none = aid("a-none")
    assert keys(match([later, none, sooner], LILLE, TODAY)) == ["c-sooner", "b-later", "a-none"]


def test_limit_and_vocabularies():
    assert len(match([aid(i) for i in range(30)], LILLE, TODAY, limit=5)) == 5
    assert set(engine.KIND_THEMES) == {"material", "energy", "water", "equipment", "service"}
    assert {"grant", "loan", "recoverable_advance", "engineering", "guarantee"} == set(engine.AID_TYPES)


def test_the_most_local_territory_decides_hiding_and_pinning_and_every_note_applies():
    from boucle.aids.engine import Curation, curated, pinned_first

    lille = {"commune:59350", "epci:200093201", "departement:59", "region:32"}
    curations = [Curation(1, "region:32", hidden=True, note="fermé en région"),
                 Curation(1, "epci:200093201", pinned=True, note="priorité de la métropole"),
                 Curation(2, "region:32", pinned=True),
                 Curation(3, "epci:200039865", hidden=True)]  # Metz: not where Lille stands
    views = curated(curations, lille)
    assert views[1].pinned and not views[1].hidden and views[1].decided_by == "epci:200093201"
    assert [ref for ref, _n in views[1].notes] == ["epci:200093201", "region:32"]
    assert views[2].pinned and 3 not in views
    assert pinned_first([3, 4, 2, 1], views) == [2, 1, 3, 4]
    metz = curated(curations, {"epci:200039865", "departement:57", "region:44"})
    assert metz[3].hidden and set(metz) == {3}
    assert curated(curations, set()) == {}


# --- what an aid funds (scope) -------------------------------------------------------------------

def scoped(key, scope, themes=("circular_economy",)):
    return Aid(key, f"Aide {key}", ("FR",), ("company",), tuple(themes), ("grant",), scope=tuple(scope))


def exchanging(*materials, themes=("circular_economy", "waste")):
    return Subject(places=LILLE.places, themes=themes, materials=tuple(materials))


def test_an_aid_for_plastics_is_not_offered_for_steel_slag_but_is_for_pet():
    aids = [scoped("orplast", ["plastics"]), scoped("generic", [])]
    assert keys(match(aids, exchanging(("material", "ashes_slags")), TODAY)) == ["generic"]
    found = match(aids, exchanging(("material", "plastics")), TODAY)
    assert keys(found)[0] == "orplast"  # a scheme for this very material comes before a generic fund
    assert found[0].reasons[0] == ("scope", {"scope": ["plastics"]})


def test_a_kind_in_the_scope_covers_every_family_of_that_kind():
    heat = exchanging(("energy", "energy"), themes=("energy",))
    fuel = exchanging(("energy", "fuels"), themes=("energy",))
    aids = [scoped("chaleur", ["energy"], themes=("energy",)), scoped("eau", ["water"], themes=("energy", "water"))]
    assert keys(match(aids, heat, TODAY)) == ["chaleur"]
    assert keys(match(aids, fuel, TODAY)) == ["chaleur"]


def test_an_aid_without_scope_fits_any_material():
    for family in ("ashes_slags", "plastics", "metals", ""):
        assert keys(match([scoped("any", [])], exchanging(("material", family)), TODAY)) == ["any"]


def test_a_material_not_classified_keeps_a_scoped_aid_ranked_down_with_its_reason():
    unknown = exchanging(("material", ""))
    found = match([scoped("orplast", ["plastics"]), scoped("generic", [])], unknown, TODAY)
    assert keys(found) == ["generic", "orplast"]
    assert found[1].reasons[0] == ("scope_unchecked", {"scope": ["plastics"]})
    # but an energy scheme is not offered for an unclassified material: the kind already excludes it
    assert keys(match([scoped("chaleur", ["energy"])], unknown, TODAY)) == []


def test_the_scope_vocabulary_is_the_platforms_kinds_and_material_families():
    from boucle.materials.taxonomy import load_classes

    values = engine.scope_values()
    assert {"material", "energy", "water", "equipment", "service"} <= set(values)
    assert set(values) - set(engine.SCOPE_KINDS) <= {c.group for c in load_classes()}
    assert "plastics" in values and "ashes_slags" in values
