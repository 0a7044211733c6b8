"""A park the development set does not contain: Kalundborg as described by Jacobsen (2006, J. Ind.
Ecol. 10:239) and Chertow (2000). Activities only (no names), offers as a facilitator would type
them; the documented partners should be among Boucle's default proposals."""

from boucle.matching.pipeline import FlowIn, SiteIn, propose

LAT, LON = 55.68, 11.10


def _site(i: int, code: str | None, activity: str) -> SiteIn:
    # Within 4 km of each other, as the Kalundborg plants are.
    return SiteIn(f"s{i}", LAT + 0.005 * (i % 4), LON + 0.008 * (i // 4), code, activity)


SITES = [
    _site(0, "35.11", "coal-fired power station"), _site(1, "19.20", "oil refinery"),
    _site(2, "21.10", "pharmaceutical and enzyme plant"), _site(3, "23.62", "plasterboard plant"),
    _site(4, "35.30", "district heating"), _site(5, "03.22", "fish farm"), _site(6, "01.50", "farms"),
    _site(7, "23.51", "cement plant"), _site(8, "20.13", "sulphuric acid plant"), _site(9, "01.46", "pig farm"),
    _site(10, "37.00", "wastewater treatment plant"), _site(11, "39.00", "soil remediation"),
]
OFFERS = [
    ("steam", "s0", "vapeur process", None), ("heat", "s0", "eau chaude de refroidissement 40 °C", None),
    ("gypsum", "s0", "gypse de désulfuration", "100105"), ("ash", "s0", "cendres volantes de charbon", "100102"),
    ("gas", "s1", "refinery fuel gas", None), ("sulphur", "s1", "soufre de désulfuration", None),
    ("wastewater", "s1", "treated wastewater", None), ("sludge", "s2", "fermentation sludge (biomass)", None),
    ("yeast", "s2", "yeast slurry", None),
]
DOCUMENTED = {
    ("steam", "s1"), ("steam", "s2"), ("heat", "s4"), ("heat", "s5"), ("gypsum", "s3"), ("ash", "s7"),
    ("gas", "s3"), ("gas", "s0"), ("sulphur", "s8"), ("wastewater", "s0"), ("sludge", "s6"), ("yeast", "s9"),
}


def test_documented_kalundborg_exchanges_are_proposed():
    flows = [FlowIn(fid, site, "offer", label=label, ewc_code=ewc, temperature_c=40.0 if fid == "heat" else None)
             for fid, site, label, ewc in OFFERS]
    proposed = {(p.offer_flow_id, p.need_site_id) for p in propose(SITES, flows)}
    found = DOCUMENTED & proposed
    assert len(found) >= 0.75 * len(DOCUMENTED), sorted(DOCUMENTED - proposed)
    assert len(found) / len(proposed) >= 0.2  # suggestions stay focused
