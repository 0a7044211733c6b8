"""EU critical raw materials (Regulation (EU) 2024/1252) as shipped data, the flag on classes,
and the sourced substitutions."""
import pytest

from boucle.materials.crm import classes_with_crm, critical_raw_materials, crm_of_class, has_strategic
from boucle.materials.substitution import documented_classes, substitutes_for


def test_the_annexes_are_shipped_whole_with_their_source():
    crms = critical_raw_materials()
    # Annex II: 34 critical raw materials; Annex I: 17 strategic ones, "rare earth elements for
    # magnets" being an Annex I entry whose elements are critical as light or heavy rare earths.
    assert len([k for k in crms if k != "ree_magnets"]) == 34
    assert sum(c.strategic for c in crms.values()) == 17
    assert all("2024/1252" in c.source for c in crms.values())
    assert {"lithium", "cobalt", "nickel", "natural_graphite", "ree_magnets", "boron"} <= {
        k for k, c in crms.items() if c.strategic}
    assert not crms["lree"].strategic and not crms["hree"].strategic


def test_battery_and_magnet_classes_carry_their_critical_materials():
    nmc = {c.crm.key for c in crm_of_class("battery_li_ion_nmc")}
    assert {"lithium", "nickel", "cobalt", "manganese", "natural_graphite"} <= nmc
    assert "cobalt" not in {c.crm.key for c in crm_of_class("battery_li_ion_lfp")}
    assert {"ree_magnets", "lree", "hree", "boron"} <= {c.crm.key for c in crm_of_class("ndfeb_magnets")}
    assert crm_of_class("ferrite_magnets") == () and crm_of_class("fly_ash") == () and crm_of_class(None) == ()
    assert has_strategic("electric_motors_pm") and not has_strategic("concrete_sleepers")
    strategic_first = [c.crm.strategic for c in crm_of_class("ndfeb_magnets")]
    assert strategic_first == sorted(strategic_first, reverse=True)
    assert all(c.source for cs in classes_with_crm().values() for c in cs)


def test_substitutions_are_sourced_and_say_which_critical_materials_they_avoid():
    lfp = next(s for s in substitutes_for("battery_li_ion_nmc") if s.substitute_key == "battery_li_ion_lfp")
    assert set(lfp.avoids) == {"cobalt", "nickel", "manganese"} and "IEA" in lfp.source
    ndfeb = substitutes_for("ndfeb_magnets")
    assert ndfeb[0].substitute_key == "ferrite_magnets" and "ree_magnets" in ndfeb[0].avoids
    recycled = next(s for s in ndfeb if s.kind == "recycled")
    assert recycled.avoids == () and "2024/1252" in recycled.source
    assert all(s.source and s.use("fr") and s.use("en") for k in documented_classes() for s in substitutes_for(k))
    assert substitutes_for("fly_ash") == []
    with pytest.raises(KeyError):
        substitutes_for("no_such_class")
