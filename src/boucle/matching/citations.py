"""The documents a rule's citation names, as a reader names them: « BREF CLM 2013 (ciment, chaux et
magnésie) », « directive 2008/98/CE », « NAF 38.22 », « Chertow (2000) ».

A rule's ``source`` is a full citation written in English for the maintainers (document, section and
what it says). An explanation shows the documents only, in the reader's language, and keeps the full
citation in its own field (``explanation.source``). Pure: no Django; the language is an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# The EU reference documents on best available techniques (Directive 2010/75/EU, art. 13), by the
# acronym the citations use; French titles as the Ministry's INERIS translations name them.
BREF_TITLES: dict[str, tuple[str, str]] = {
    "CAK": ("production de chlore et de soude", "chlor-alkali"),
    "CER": ("céramique", "ceramic manufacturing"),
    "CLM": ("ciment, chaux et magnésie", "cement, lime and magnesium oxide"),
    "CWW": ("effluents liquides et gazeux de la chimie", "waste water and waste gas in the chemical sector"),
    "ENE": ("efficacité énergétique", "energy efficiency"),
    "FDM": ("industries agroalimentaires et laitières", "food, drink and milk"),
    "FMP": ("transformation des métaux ferreux", "ferrous metals processing"),
    "GLS": ("fabrication du verre", "manufacture of glass"),
    "ICS": ("systèmes de refroidissement industriels", "industrial cooling systems"),
    "IRPP": ("élevage intensif de volailles et de porcs", "intensive rearing of poultry or pigs"),
    "IS": ("sidérurgie", "iron and steel production"),
    "LCP": ("grandes installations de combustion", "large combustion plants"),
    "LVIC-AAF": ("ammoniac, acides et engrais", "ammonia, acids and fertilisers"),
    "LVIC-S": ("chimie inorganique en grands volumes, solides", "large volume inorganic chemicals, solids"),
    "LVOC": ("chimie organique en grands volumes", "large volume organic chemicals"),
    "NFM": ("métaux non ferreux", "non-ferrous metals"),
    "OFC": ("chimie organique fine", "organic fine chemicals"),
    "POL": ("production de polymères", "production of polymers"),
    "PP": ("pâte à papier, papier et carton", "pulp, paper and board"),
    "REF": ("raffinage du pétrole et du gaz", "refining of mineral oil and gas"),
    "SA": ("abattoirs et sous-produits animaux", "slaughterhouses and animal by-products"),
    "SF": ("forge et fonderie", "smitheries and foundries"),
    "SIC": ("chimie inorganique de spécialité", "speciality inorganic chemicals"),
    "STM": ("traitement de surface des métaux et des plastiques", "surface treatment of metals and plastics"),
    "STS": ("traitement de surface utilisant des solvants organiques", "surface treatment using organic solvents"),
    "TAN": ("tannage des peaux", "tanning of hides and skins"),
    "TXT": ("industrie textile", "textiles industry"),
    "WBP": ("panneaux à base de bois", "wood-based panels"),
    "WI": ("incinération des déchets", "waste incineration"),
    "WT": ("traitement des déchets", "waste treatment"),
}
# Bodies whose guides the citations name by acronym and year.
BODIES = {"SETRA": ("guide du Sétra", "SETRA guide"), "IPCC": ("GIEC", "IPCC"),
          "IEA": ("rapport de l'AIE", "IEA report"),
          "ADR": ("accord ADR", "ADR agreement"), "EPA": ("US EPA", "US EPA")}

_BREF = re.compile(r"\b(" + "|".join(sorted(map(re.escape, BREF_TITLES), key=len, reverse=True))
                   + r")(?: |\)| \()?((?:19|20)\d{2})\b")
_BODY = re.compile(r"\b(" + "|".join(BODIES) + r")\b[^;:]*?\b((?:19|20)\d{2})\b")
_EU_ACT = re.compile(r"\b(Directive|Regulation|Decision|Implementing Regulation|Delegated Regulation)"
                     r"(?: \((EU|EC|EEC)\))?(?: No)? (\d{2,4}/\d{1,4})(?:/(EC|EEC|EU))?")
# A Commission Notice of the C series of the Official Journal (« 2018/C 133/02 »): guidelines, not an act.
_NOTICE = re.compile(r"\bCommission Notice (\d{4}/C \d{1,4}/\d{2})")
_NACE = re.compile(r"\b(?:NACE|NAF)(?: Rev\. ?2)? (\d{2}(?:\.\d{1,2})?)\b")
_EWC = re.compile(r"\b(?:EWC|LoW|List of Waste)(?: chapter)? (\d{2}(?: \d{2}(?: \d{2}\*?)?)?)\b")
_STANDARD = re.compile(r"\b(EN(?: ISO)?|ISO) (\d{3,5}(?:-\d+)?)\b")
_NAME = r"[A-Z][a-zà-ÿ']{2,}(?:-[A-Z]?[a-zà-ÿ']+)*"  # a double-barrelled surname (« Campos-Vega ») is one name
_AUTHOR = re.compile(r"\b(" + _NAME + r"(?:(?: &| and) " + _NAME + r")?)( et al\.)?,? \(?((?:19|20)\d{2})\)?")
_NOT_AUTHORS = {"Directive", "Regulation", "Decision", "Annex", "Table", "Tables", "Article", "Code", "Loi", "Guide",
                "Report", "Rev", "Chapter", "Euroslag", "Since", "From", "Before", "After", "December", "January",
                "Accelerating", "Circular", "Framework", "Notice", "Commission"}
_FR_ORIGIN = {"EU": "UE", "EC": "CE", "EEC": "CEE"}
_FR_ACT = {"Directive": "directive", "Regulation": "règlement", "Decision": "décision",
           "Implementing Regulation": "règlement d'exécution", "Delegated Regulation": "règlement délégué"}


def _act(m: re.Match, en: bool) -> str:
    kind, prefix_origin, number, suffix_origin = m.groups()
    if en:
        return f"{kind}{f' ({prefix_origin})' if prefix_origin else ''} {number}{f'/{suffix_origin}' if suffix_origin else ''}"
    prefix = f" ({_FR_ORIGIN[prefix_origin]})" if prefix_origin else ""
    suffix = f"/{_FR_ORIGIN[suffix_origin]}" if suffix_origin else ""
    return f"{_FR_ACT[kind]}{prefix} {number}{suffix}"


# Where a reader opens the whole document, by kind. The EIPPCB keeps every BREF on one page (each BREF's own page
# has changed address at each revision); EUR-Lex answers an act by its European Legislation Identifier; INSEE
# publishes each NAF division, class and subclass (a group is read on its division's page).
BREF_INDEX_URL = "https://eippcb.jrc.ec.europa.eu/reference/"
EUR_LEX_ELI = "https://eur-lex.europa.eu/eli/{kind}/{year}/{number}/oj"
INSEE_NAF = "https://www.insee.fr/{lang}/metadonnees/nafr2/{level}/{code}"
_ELI_KIND = {"Directive": "dir", "Regulation": "reg", "Decision": "dec", "Implementing Regulation": "reg_impl",
             "Delegated Regulation": "reg_del"}
# The List of Waste is the annex of Commission Decision 2000/532/EC.
LIST_OF_WASTE_URL = EUR_LEX_ELI.format(kind="dec", year=2000, number=532)


@dataclass(frozen=True)
class Document:
    """One document a citation names: ``name`` as a reader names it (« BREF STS 2020 », « directive 2008/98/CE »,
    « NACE Rev. 2, 29 »), ``subject`` what it is about where the name does not say (a BREF's title), ``url``
    where to read it whole (empty when it is not free to read: a standard, an article), ``code`` the NACE code
    for the caller to name the activity."""

    kind: str
    name: str
    subject: str = ""
    url: str = ""
    code: str = ""

    @property
    def text(self) -> str:
        return f"{self.name} ({self.subject})" if self.subject else self.name


def _act_url(m: re.Match) -> str:
    kind, _prefix, number, _suffix = m.groups()
    first, second = number.split("/")
    # before 2015 a regulation was numbered number/year (No 1069/2009), a directive or decision year/number
    if len(second) == 4 and 1950 <= int(second) <= 2014 and not (len(first) == 4 and 1950 <= int(first) <= 2100):
        year, serial = int(second), int(first)
    else:
        year = int(first) + (1900 if len(first) == 2 and int(first) >= 50 else 2000 if len(first) == 2 else 0)
        serial = int(second)
    return EUR_LEX_ELI.format(kind=_ELI_KIND[kind], year=year, number=serial)


# A NACE code's level by its length, as NACE Rev. 2 (and the NAF) name them: « 29 » alone reads as a figure.
_NACE_LEVEL = {2: ("division", "division"), 4: ("groupe", "group"), 5: ("classe", "class")}


def _nace_url(code: str) -> str:
    """INSEE's page of the code (in French: INSEE publishes the NAF in French), its division's for a group."""
    if len(code) == 5:
        return INSEE_NAF.format(lang="fr", level="classe", code=code)
    return INSEE_NAF.format(lang="fr", level="division", code=code[:2])


@lru_cache(maxsize=4096)
def documents(citation: str | None, lang: str = "fr") -> tuple[Document, ...]:
    """The documents ``citation`` names, in its order, worded in ``lang`` ("fr" or "en"); empty when it names
    none this module knows (the caller then says the rule is cited without naming it)."""
    if not citation:
        return ()
    en = lang.startswith("en")
    found: list[tuple[int, Document]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, document: Document) -> None:
        if any(a < m.end() and m.start() < b for a, b in taken):
            return
        taken.append((m.start(), m.end()))
        found.append((m.start(), document))

    for m in _EU_ACT.finditer(citation):
        add(m, Document("act", _act(m, en), url=_act_url(m)))
    for m in _NOTICE.finditer(citation):
        add(m, Document("notice", f"Commission Notice {m.group(1)}" if en else
                        f"communication de la Commission {m.group(1)}"))
    for m in _BREF.finditer(citation):
        acronym, year = m.groups()
        add(m, Document("bref", f"BREF {acronym} {year}", BREF_TITLES[acronym][1 if en else 0], BREF_INDEX_URL))
    for m in _BODY.finditer(citation):
        add(m, Document("body", f"{BODIES[m.group(1)][1 if en else 0]} {m.group(2)}"))
    for m in _NACE.finditer(citation):
        code = m.group(1)
        level = _NACE_LEVEL.get(len(code), ("", ""))[1 if en else 0]
        level = f"{level} " if level else ""
        add(m, Document("nace", f"NACE Rev. 2, {level}{code}" if en else f"nomenclature NAF rév. 2, {level}{code}",
                        url=_nace_url(code), code=code))
    for m in _EWC.finditer(citation):
        code = m.group(1)
        add(m, Document("ewc", f"European List of Waste, {'chapter ' if len(code) == 2 else ''}{code}" if en
                        else f"liste européenne des déchets, {'chapitre ' if len(code) == 2 else ''}{code}",
                        url=LIST_OF_WASTE_URL))
    for m in _STANDARD.finditer(citation):
        add(m, Document("standard", f"{'standard' if en else 'norme'} {m.group(1)} {m.group(2)}"))
    for m in _AUTHOR.finditer(citation):
        if m.group(1).split()[0] not in _NOT_AUTHORS:
            add(m, Document("author", f"{m.group(1).replace(' and ', ' & ')}{' et al.' if m.group(2) else ''} "
                                      f"({m.group(3)})"))
    return tuple({d.text: d for _, d in sorted(found, key=lambda x: x[0])}.values())


def document_names(citation: str | None, lang: str = "fr") -> tuple[str, ...]:
    """The documents ``citation`` names, in its order, worded in ``lang`` ("fr" or "en"), as one text each
    (« BREF CLM 2013 (ciment, chaux et magnésie) »); empty when it names none this module knows."""
    return tuple(d.text for d in documents(citation, lang))
