"""Build `src/boucle/materials/data/ewc_to_class.csv` from the European List of Waste.

Sources (read-only, see /work/shared/data/SOURCES.md section 1):
- `waste_codes/ewc_liste_dechets_fr.csv`: French legal text (annexe II art. R541-8 C. env.),
  via MTES-MCT/trackdechets @ 779f59bf (AGPL-3.0 repo; official text under Licence Ouverte).
- `waste_codes/ewc_list_of_waste_en.csv`: English LoW via DEFRA/waste-movement-external-api
  @ 3a8ef763 (Open Government Licence v3.0).

Every one of the 842 six-digit codes gets exactly one material class, decided by the first
rule that fires, in this order:

1. ``manual``: a code-by-code decision where the wording is ambiguous (e.g. 10 02 02 slag);
2. ``keyword``: a regular expression on the English + French descriptions, optionally scoped to
   code prefixes (so that "slag" means steel slag in 10 02 and non-ferrous slag in 10 06);
3. ``section``: the default class of the 4-digit section (this is what "xx xx 99 not otherwise
   specified" codes get);
4. ``chapter``: the default class of the 2-digit chapter.

The script fails if a code maps to an unknown class or if a hazardous code (``*``) maps to a class
whose ``hazardous_possible`` is false, so the shipped data is always consistent.

Run: ``.venv/bin/python scripts/build_materials_data.py [--shared /work/shared]``
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "boucle" / "materials" / "data"

# --- 1. manual overrides -------------------------------------------------------------------
MANUAL = {
    "100101": "bottom_ash", "100102": "fly_ash", "100103": "biomass_ash", "100104": "fly_ash",
    "100105": "fgd_gypsum", "100107": "fgd_gypsum", "100109": "spent_sulphuric_acid",
    "100113": "fly_ash", "100124": "bottom_ash", "100125": "coal",
    # EWC does not split iron-making from steel-making slag: processed slag (granulated, GGBS)
    # is mostly blast furnace slag, raw slag heaps are mostly steel slag.
    "100201": "blast_furnace_slag", "100202": "steel_slag",
    "100305": "non_ferrous_slag", "100304": "non_ferrous_slag",
    "100215": "metallurgical_dust", "100403": "chemical_waste_other",
    "100808": "salt_slag",
    # furnace slag of foundries (10 09 03 ferrous, 10 10 03 non-ferrous casting) is neither blast-furnace
    # nor steelworks slag: cupola and melting-furnace slag of casting (EU BREF SF 2005)
    "100903": "foundry_slag", "101003": "foundry_slag",
    "101109": "glass_cullet", "101110": "glass_cullet", "101201": "clay",
    "101206": "gypsum_waste", "101301": "limestone", "101304": "lime_residues",
    "101309": "asbestos_waste",
    "020401": "sugar_beet_soil", "020402": "lime_residues", "020702": "distillers_grains_vinasse",
    "020106": "manure", "020107": "wood_untreated", "020110": "mixed_metals_scrap",
    "030101": "bark", "030104": "wood_treated", "030105": "sawdust_shavings",
    "030301": "bark", "030302": "lime_residues", "030305": "paper_sludge",
    "030307": "paper_rejects", "030308": "paper", "030309": "lime_residues",
    "030310": "paper_sludge", "030311": "paper_sludge",
    "040103": "spent_solvents", "040210": "animal_fat", "040214": "spent_solvents",
    "050111": "spent_caustic", "050112": "spent_acids_other", "050115": "filter_cakes",
    "050116": "sulphur", "050117": "tars_bitumen_residues", "050702": "sulphur",
    "060101": "spent_sulphuric_acid", "060201": "lime_residues",
    "060702": "spent_activated_carbon", "060704": "spent_acids_other", "060902": "non_ferrous_slag",
    "060903": "phosphogypsum", "060904": "phosphogypsum", "061101": "fgd_gypsum",
    "061199": "ferrous_sulphate", "061303": "carbon_black", "061305": "chemical_waste_other",
    "070213": "mixed_plastics", "070413": "agrochemical_waste", "070513": "pharmaceutical_waste",
    "070514": "pharmaceutical_waste",
    "080316": "spent_acids_other", "080319": "waste_oil", "080501": "resin_waste",
    "090110": "weee", "090111": "weee", "090112": "weee",
    "110105": "spent_pickling_acid", "110106": "spent_acids_other", "110107": "spent_caustic",
    "110116": "spent_ion_exchange_resins", "110203": "carbon_electrode_waste",
    "110501": "zinc_scrap", "110502": "zinc_scrap",
    "120101": "steel_scrap", "120102": "steel_scrap", "120103": "non_ferrous_mixed_scrap",
    "120104": "non_ferrous_mixed_scrap", "120105": "mixed_plastics", "120113": "mixed_metals_scrap",
    "120112": "waste_oil",
    "130101": "pcb_waste", "130301": "pcb_waste",
    "140601": "chemical_waste_other", "190808": "chemical_waste_other", "010407": "mining_tailings", "150111": "contaminated_packaging",
    "160603": "batteries_other", "101310": "concrete_rubble",
    "150101": "cardboard", "150102": "mixed_plastics", "150103": "wood_pallets",
    "150104": "metal_packaging", "150105": "composite_packaging", "150106": "packaging_mixed",
    "150107": "glass_cullet", "150109": "textiles",
    "160103": "tyres", "160107": "absorbents_rags", "160112": "mixed_metals_scrap",
    "160116": "steel_scrap", "160117": "steel_scrap", "160118": "non_ferrous_mixed_scrap",
    "160119": "mixed_plastics", "160120": "glass_cullet", "160211": "weee_cooling",
    "160601": "batteries_lead_acid", "160606": "spent_sulphuric_acid",
    "161101": "spent_pot_lining", "161102": "spent_pot_lining",
    "170101": "concrete_rubble", "170102": "bricks_tiles_ceramics",
    "170103": "bricks_tiles_ceramics", "170106": "inert_mixed", "170107": "inert_mixed",
    "170202": "flat_glass", "170203": "mixed_plastics", "170204": "construction_demolition_mixed",
    "170303": "tars_bitumen_residues",
    "170401": "copper_scrap", "170402": "aluminium_scrap", "170403": "lead_scrap",
    "170404": "zinc_scrap", "170405": "steel_scrap", "170406": "non_ferrous_mixed_scrap",
    "170407": "mixed_metals_scrap", "170409": "mixed_metals_scrap",
    "190102": "steel_scrap", "190106": "aqueous_liquid_waste", "190110": "spent_activated_carbon",
    "190203": "mixed_industrial_waste", "190207": "waste_oil", "190208": "spent_solvents",
    "190401": "incineration_bottom_ash", "190404": "aqueous_liquid_waste",
    "190503": "compost", "190809": "grease_trap_waste", "190810": "oily_sludge",
    "190899": "sewage_sludge", "190901": "screenings_grit",
    "191001": "steel_scrap", "191002": "non_ferrous_mixed_scrap",
    "191101": "filter_cakes", "191103": "oily_water", "191104": "spent_caustic",
    "191199": "oily_sludge",
    "191201": "paper", "191202": "steel_scrap", "191203": "non_ferrous_mixed_scrap",
    "191204": "mixed_plastics", "191205": "glass_cullet", "191206": "wood_treated",
    "191207": "wood_untreated", "191208": "textiles", "191209": "inert_mixed",
    "191210": "refuse_derived_fuel",
    "200101": "paper", "200102": "glass_cullet", "200108": "food_waste",
    "200113": "spent_solvents", "200114": "spent_acids_other", "200115": "spent_caustic",
    "200121": "lamps_fluorescent", "200123": "weee_cooling", "200125": "used_cooking_oil",
    "200126": "waste_oil", "200133": "batteries_other", "200134": "batteries_other",
    "200137": "wood_treated",
    # 20 01 38 is wood collected from households and civic amenity sites: mostly coated or panel wood (grade B)
    # mixed with grade A (ADEME 2015, gisement de déchets bois), not the biomass of Directive 2010/75/EU art. 3(31)(b)(v)
    "200138": "wood_treated", "200139": "mixed_plastics",
    "200140": "mixed_metals_scrap", "200141": "biomass_ash", "200199": "municipal_mixed_waste",
    "200201": "green_waste", "200202": "soil_stones", "200203": "municipal_mixed_waste",
    "200301": "municipal_mixed_waste", "200302": "food_waste", "200303": "street_sweepings",
    "200304": "septic_sludge", "200306": "septic_sludge", "200307": "bulky_waste",
}

# --- 2. keyword rules: (code prefixes or "" for all, regex on "en || fr" text, key) ----------
KEYWORDS: list[tuple[tuple[str, ...], str, str]] = [
    (("",), r"\bpcbs?\b", "pcb_waste"),
    (("",), r"\basbestos\b", "asbestos_waste"),
    (("",), r"\bmercury\b", "mercury_waste"),
    (("",), r"cooling.water treatment containing oil", "oily_sludge"),
    (("",), r"cooling.water treatment|cooling columns|boiler feedwater|boiler cleansing",
     "water_treatment_sludge"),
    (("",), r"sludges? (?:\w+ )?from on-site effluent treatment|sludges?, in particular from "
     r"on-site effluent|from on-site effluent treatment", "industrial_wwtp_sludge"),
    (("",), r"spent activated carbon", "spent_activated_carbon"),
    (("",), r"ion exchange", "spent_ion_exchange_resins"),
    (("",), r"laboratory chemicals|discarded (?:in)?organic chemicals|discarded chemicals",
     "laboratory_chemicals"),
    (("",), r"cytotoxic|medicines", "pharmaceutical_waste"),
    (("",), r"halogenated (?:organic )?solvents|organic halogenated solvents|containing "
     r"halogenated solvents", "spent_solvents_halogenated"),
    (("",), r"organic solvents, washing liquids|other solvents|containing other solvents",
     "spent_solvents"),
    # aqueous washing liquids, mother liquors, rinsing liquids and concentrates are liquid wastes sent
    # by tanker to physico-chemical treatment or incineration (EU BREF WT 2018, 2.3.3 and 4.3: treatment
    # of water-based liquid waste), not a site's effluent to its sewer: they are no water to reuse
    (("07", "12", "16", "19"), r"aqueous (?:washing|liquid|rinsing|concentrates)",
     "aqueous_liquid_waste"),
    (("",), r"still bottoms|reaction residues", "chemical_waste_other"),
    (("07",), r"filter cakes and spent absorbents", "filter_cakes"),
    (("",), r"\bcatalysts?\b", "spent_catalysts"),
    # mining and quarrying
    (("0103",), r"red mud", "red_mud"),
    (("0104",), r"potash|rock salt", "salt_brine"),
    (("0104",), r"gravel|sand and clays|washing and cleaning|stone cutting|dusty", "quarry_fines"),
    (("0105",), r"drilling", "drilling_muds"),
    # agriculture and food
    (("02",), r"agrochemical", "agrochemical_waste"),
    (("02",), r"waste plastics", "mixed_plastics"),
    (("0201", "0202"), r"animal-tissue", "animal_by_products"),
    (("0201",), r"plant-tissue", "crop_residues"),
    (("02",), r"sludges from washing", "industrial_wwtp_sludge"),
    # leather and textiles
    (("0402",), r"dyestuffs|pigments", "paint_ink_adhesive_waste"),
    # petroleum refining, coal pyrolysis
    (("05",), r"\btars?\b|acid alkyl", "tars_bitumen_residues"),
    (("05",), r"sludges|oil spills", "oily_sludge"),
    # inorganic chemistry
    (("0601",), r"sulphuric", "spent_sulphuric_acid"),
    (("0601",), r"acid", "spent_acids_other"),
    (("0602",), r"hydroxide|bases", "spent_caustic"),
    (("0603",), r"salts", "salt_brine"),
    (("0613",), r"plant protection|biocides", "agrochemical_waste"),
    # paints, inks, adhesives
    (("0802",), r"ceramic", "industrial_wwtp_sludge"),
    # thermal processes (chapter 10)
    (("1001",), r"fly ash", "fly_ash"),
    (("1001",), r"co-incineration", "bottom_ash"),
    (("1001",), r"gas cleaning", "incineration_fly_ash"),
    (("1002",), r"mill scales", "mill_scale"),
    (("1003",), r"anode", "carbon_electrode_waste"),
    (("1003",), r"^salt slags?\b", "salt_slag"),
    (("1003",), r"salt slag|dross|skimmings", "aluminium_dross"),
    (("1008",), r"anode", "carbon_electrode_waste"),
    (("1004", "1005", "1006", "1007", "1008", "1010"), r"\bslags?\b|dross|skimmings",
     "non_ferrous_slag"),
    (("1009", "1010"), r"casting cores|binders", "foundry_sand"),
    (("1009", "1010"), r"crack-indicating", "chemical_waste_other"),
    (("1011",), r"glass-based fibrous", "glass_fibre_waste"),
    (("1011",), r"waste glass", "glass_cullet"),
    (("1011",), r"polishing", "industrial_wwtp_sludge"),
    (("1011",), r"effluent treatment", "industrial_wwtp_sludge"),
    (("1012",), r"ceramics, bricks|glazing", "bricks_tiles_ceramics"),
    (("1013",), r"concrete|cement-based|asbestos-cement", "concrete_rubble"),
    (("1011", "1012", "1013"), r"dust|gas treatment|flue-gas", "kiln_dust"),
    (("10",), r"dust|particulates|gas treatment|gas cleaning", "metallurgical_dust"),
    # surface treatment of metals
    (("1101",), r"rinsing|eluate", "aqueous_liquid_waste"),
    (("1101",), r"degreasing", "chemical_waste_other"),
    (("1101", "1102"), r"sludges|filter cakes|hydrometallurg", "metal_hydroxide_sludge"),
    (("1103",), r"", "chemical_waste_other"),
    (("1105",), r"gas treatment", "metallurgical_dust"),
    (("1105",), r"flux", "chemical_waste_other"),
    # shaping of metals and plastics
    (("1201",), r"sludge", "oily_sludge"),
    (("1201",), r"machining oils?\b|\boils?\b", "waste_oil"),
    (("1201",), r"emulsions", "oily_water"),
    (("1201",), r"blasting|grinding", "spent_blasting_grit"),
    (("1203",), r"steam degreasing", "oily_water"),
    # oils and fuels
    (("13",), r"emulsions|bilge|oily water", "oily_water"),
    (("13",), r"fuel oil|petrol|other fuels", "fuel_oil"),
    (("13",), r"sludges|solids|mixtures of wastes", "oily_sludge"),
    (("13",), r"\boils?\b", "waste_oil"),
    # absorbents, vehicles, equipment
    (("1502",), r"", "absorbents_rags"),
    (("1501",), r"contaminated|pressure containers", "contaminated_packaging"),
    (("1601",), r"end-of-life vehicles", "end_of_life_vehicles"),
    (("1601",), r"explosive", "explosives_waste"),
    (("1601",), r"brake fluids|antifreeze", "chemical_waste_other"),
    (("1605",), r"gases in pressure", "gases_in_containers"),
    (("1606",), r"batter", "batteries_other"),
    (("1607",), r"oil", "oily_sludge"),
    (("1611",), r"", "refractories_spent"),
    # construction and demolition
    (("1702",), r"wood", "wood_untreated"),
    (("1703",), r"bituminous", "reclaimed_asphalt"),
    (("1704",), r"cables", "cable_scrap"),
    (("1705",), r"soil and stones", "soil_stones"),
    (("1705",), r"dredging", "dredging_spoil"),
    (("1705",), r"ballast", "track_ballast"),
    (("1706",), r"insulation", "mineral_wool_waste"),
    (("1708",), r"gypsum", "gypsum_waste"),
    # healthcare
    (("18",), r"chemicals", "laboratory_chemicals"),
    (("18",), r"amalgam", "mercury_waste"),
    # waste management facilities
    (("1901",), r"bottom ash|slag|sands from fluidised|pyrolysis", "incineration_bottom_ash"),
    (("1901",), r"fly ash|boiler dust|gas treatment|filter cake", "incineration_fly_ash"),
    (("1902",), r"sludges", "industrial_wwtp_sludge"),
    (("1902",), r"combustible", "refuse_derived_fuel"),
    (("1904",), r"fly ash|non-vitrified", "incineration_fly_ash"),
    (("1905",), r"non-composted", "sorting_residues"),
    (("1906",), r"liquor|digestate", "digestate"),
    (("1907",), r"leachate", "landfill_leachate"),
    (("1908",), r"screenings|desanding", "screenings_grit"),
    (("1908",), r"urban waste water", "sewage_sludge"),
    (("1908",), r"industrial waste water", "industrial_wwtp_sludge"),
    (("1909",), r"clarification|decarbonation", "water_treatment_sludge"),
    (("1910",), r"fluff|other fractions", "shredder_residue"),
    (("1911",), r"acid tars", "tars_bitumen_residues"),
    (("1911",), r"flue-gas", "incineration_fly_ash"),
    (("1912",), r"other wastes", "sorting_residues"),
    (("1913",), r"solid wastes", "soil_stones"),
    (("1913",), r"sludges", "industrial_wwtp_sludge"),
    (("1913",), r"aqueous", "aqueous_liquid_waste"),
    # municipal
    (("2001",), r"clothes|textiles", "textiles"),
    (("2001",), r"photochemicals", "photographic_chemicals"),
    (("2001",), r"pesticides", "agrochemical_waste"),
    (("2001",), r"paint, inks", "paint_ink_adhesive_waste"),
    (("2001",), r"detergents", "chemical_waste_other"),
    (("2001",), r"electrical and electronic", "weee"),
]

# --- 3. section defaults (also what "xx xx 99" codes get) ------------------------------------
SECTION = {
    "0101": "mining_tailings", "0103": "mining_tailings", "0104": "quarry_fines",
    "0105": "drilling_muds",
    "0201": "crop_residues", "0202": "animal_by_products", "0203": "fruit_vegetable_residues",
    "0204": "sugar_beet_pulp", "0205": "dairy_residues", "0206": "bakery_waste",
    "0207": "food_industry_residues",
    "0301": "wood_untreated", "0302": "chemical_waste_other", "0303": "paper_rejects",
    "0401": "leather_waste", "0402": "textiles",
    "0501": "oily_sludge", "0601": "spent_acids_other", "0602": "spent_caustic",
    "0603": "salt_brine", "0506": "tars_bitumen_residues", "0507": "chemical_waste_other",
    "0701": "chemical_waste_other", "0702": "resin_waste", "0703": "paint_ink_adhesive_waste",
    "0704": "agrochemical_waste", "0705": "pharmaceutical_waste", "0706": "chemical_waste_other",
    "0707": "chemical_waste_other",
    "0801": "paint_ink_adhesive_waste", "0802": "paint_ink_adhesive_waste",
    "0803": "paint_ink_adhesive_waste", "0804": "paint_ink_adhesive_waste",
    "0805": "resin_waste",
    "1001": "bottom_ash", "1002": "steel_slag", "1003": "aluminium_dross",
    "1004": "non_ferrous_slag", "1005": "non_ferrous_slag", "1006": "non_ferrous_slag",
    "1007": "non_ferrous_slag", "1008": "non_ferrous_slag", "1009": "foundry_sand",
    "1010": "foundry_sand", "1011": "glass_cullet", "1012": "bricks_tiles_ceramics",
    "1013": "kiln_dust", "1014": "mercury_waste",
    "1101": "metal_hydroxide_sludge", "1102": "metal_hydroxide_sludge", "1105": "zinc_scrap",
    "1201": "mixed_metals_scrap", "1203": "wastewater_industrial",
    "1301": "waste_oil", "1302": "waste_oil", "1303": "waste_oil", "1304": "oily_water",
    "1305": "oily_sludge", "1307": "fuel_oil", "1308": "oily_sludge",
    "1406": "spent_solvents",
    "1501": "packaging_mixed", "1502": "absorbents_rags",
    "1601": "end_of_life_vehicles", "1602": "weee", "1603": "chemical_waste_other",
    "1604": "explosives_waste", "1605": "laboratory_chemicals", "1606": "batteries_other",
    "1607": "chemical_waste_other", "1608": "spent_catalysts", "1609": "chemical_waste_other",
    "1610": "wastewater_industrial", "1611": "refractories_spent",
    "1701": "inert_mixed", "1702": "construction_demolition_mixed", "1703": "reclaimed_asphalt",
    "1704": "mixed_metals_scrap", "1705": "soil_stones", "1706": "mineral_wool_waste",
    "1708": "gypsum_waste", "1709": "construction_demolition_mixed",
    "1801": "healthcare_waste", "1802": "healthcare_waste",
    "1901": "incineration_bottom_ash", "1902": "chemical_waste_other",
    "1903": "chemical_waste_other", "1904": "incineration_bottom_ash", "1905": "sorting_residues",
    "1906": "digestate", "1907": "landfill_leachate", "1908": "sewage_sludge",
    "1909": "water_treatment_sludge", "1910": "shredder_residue", "1911": "oily_sludge",
    "1912": "sorting_residues", "1913": "soil_stones",
    "2001": "municipal_mixed_waste", "2002": "green_waste", "2003": "municipal_mixed_waste",
}
CHAPTER = {
    "01": "mining_tailings", "02": "food_industry_residues", "03": "wood_untreated",
    "04": "textiles", "05": "oily_sludge", "06": "chemical_waste_other",
    "07": "chemical_waste_other", "08": "paint_ink_adhesive_waste",
    "09": "photographic_chemicals", "10": "metallurgical_dust", "11": "metal_hydroxide_sludge",
    "12": "mixed_metals_scrap", "13": "waste_oil", "14": "spent_solvents",
    "15": "packaging_mixed", "16": "chemical_waste_other", "17": "construction_demolition_mixed",
    "18": "healthcare_waste", "19": "sorting_residues", "20": "municipal_mixed_waste",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def classify_code(code6: str, text: str) -> tuple[str, str]:
    """Return (key, method) for one code; `text` is the folded EN + FR description."""
    if code6 in MANUAL:
        return MANUAL[code6], "manual"
    for prefixes, pattern, key in KEYWORDS:
        if any(code6.startswith(p) for p in prefixes) and re.search(pattern, text):
            scope = "|".join(p for p in prefixes if p) or "all"
            return key, f"keyword:{scope}:{pattern or '*'}"
    if code6[:4] in SECTION:
        return SECTION[code6[:4]], f"section:{code6[:4]}"
    return CHAPTER[code6[:2]], f"chapter:{code6[:2]}"


def build(shared: Path) -> list[dict]:
    wc = shared / "data" / "waste_codes"
    with open(wc / "ewc_list_of_waste_en.csv", newline="", encoding="utf-8") as f:
        en = {r["code"]: r for r in csv.DictReader(f)}
    with open(wc / "ewc_liste_dechets_fr.csv", newline="", encoding="utf-8") as f:
        fr = {r["code6"]: r for r in csv.DictReader(f)}
    if set(en) != set(fr):
        sys.exit("EN and FR lists disagree on the set of codes")
    with open(OUT_DIR / "classes.csv", newline="", encoding="utf-8") as f:
        classes = {r["key"]: r for r in csv.DictReader(f)}

    rows, errors = [], []
    for code6 in sorted(fr):
        hazardous = fr[code6]["dangereux"] == "True"
        if hazardous != (en[code6]["isHazardous"] == "True"):
            errors.append(f"{code6}: hazardous flag differs between EN and FR")
        text = _fold(f"{en[code6]['description']} || {fr[code6]['libelle']}")
        key, method = classify_code(code6, text)
        if key not in classes:
            errors.append(f"{code6}: unknown class {key!r}")
        elif hazardous and classes[key]["hazardous_possible"] != "true":
            errors.append(f"{code6}*: hazardous code mapped to non-hazardous class {key!r}")
        rows.append({"code6": code6, "hazardous": "true" if hazardous else "false",
                     "key": key, "method": method,
                     "description_en": en[code6]["description"],
                     "description_fr": fr[code6]["libelle"]})
    if errors:
        sys.exit("\n".join(errors))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    rows = build(args.shared)
    out = OUT_DIR / "ewc_to_class.csv"
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    methods: dict[str, int] = {}
    for r in rows:
        methods[r["method"].split(":")[0]] = methods.get(r["method"].split(":")[0], 0) + 1
    print(f"wrote {len(rows)} codes to {out.relative_to(ROOT)}; by method: {methods}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
