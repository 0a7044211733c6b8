"""The flows import template a company downloads: its own sites prefilled, each column explained in French.

The column names stay those of the public import format (``FLOW_COLUMNS``), which the
importer reads; the help (sheet "Aide" of the workbook, table on the import page)
says in words what each one takes. Values in the template are the French words the
importer accepts (offre, matière, an, oui).
"""

import csv
import io

from django.utils.translation import gettext_lazy as _

# (column, required, help, example); the order is the template's.
COLUMNS = [
    ("site_id", True, _("SIRET du site (14 chiffres), déjà rempli pour chacun de vos sites."), "12345678900012"),
    ("direction", True, _("« offre » si le site a la ressource à céder, « besoin » s'il la cherche."), "offre"),
    ("label", True, _("Nom usuel de la matière ou de la ressource, avec vos mots."), "Palettes bois cassées"),
    ("kind", False, _("matière, énergie, eau, équipement ou service (matière si vide)."), "matière"),
    ("ewc_code", False, _("Code déchet à 6 chiffres de la liste européenne, si c'est un déchet."), "15 01 03"),
    ("quantity", False, _("Quantité, nombre sans unité (virgule ou point décimal)."), "120"),
    ("unit", False, _("Unité de la quantité : t, kg, m3, L, MWh, kWh, GJ, unité, h. Obligatoire avec une quantité."), "t"),
    ("period", False, _("Période de la quantité : an, mois, semaine, jour ou ponctuel (an si vide)."), "an"),
    ("temperature_c", False, _("Température en °C (chaleur, vapeur, eau chaude)."), ""),
    ("hazardous", False, _("oui si déchet dangereux ; déduit du code déchet si vide."), ""),
    ("available_from", False, _("Disponible à partir de (AAAA-MM-JJ)."), ""),
    ("available_to", False, _("Disponible jusqu'au (AAAA-MM-JJ)."), ""),
    ("confidential", False, _("oui (par défaut) : libellé et quantité exacte réservés à l'animateur, puis à l'autre entreprise quand vous "
       "êtes toutes deux intéressées ; non : visibles si votre entreprise a publié son profil."), "oui"),
    ("external_id", False, _("Votre propre référence du flux, pour le mettre à jour en réimportant."), ""),
    ("current_route", False, _("Ce que devient le flux aujourd'hui, sans l'échange : mise en décharge, incinération, "
                               "déjà vendu pour recyclage, compostage… ou le code d'opération du bordereau (R1 à R13, "
                               "D1 à D15). Vide : inconnu, une hypothèse documentée s'applique."), "D1"),
    # the form's « Matière » list, which README and the facilitator's page name; the company's help left it out
    ("material_class", False, _("Matière, par son nom dans la liste du formulaire « Déclarer un flux » : un choix que "
                                "la mise en relation respecte. Vide : elle est lue dans le libellé et le code "
                                "déchet."), "Palettes et emballages bois"),
]
HEADER = [c[0] for c in COLUMNS]


def template_rows(site_ids: list[str]) -> list[list[str]]:
    """One row to complete per site: the identifier and the usual defaults, the rest empty."""
    defaults = {"direction": "offre", "kind": "matière", "period": "an", "confidential": "oui"}
    return [[site_id if name == "site_id" else defaults.get(name, "") for name in HEADER] for site_id in site_ids]


def template_csv(site_ids: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")  # ";" opens in French spreadsheets as columns
    writer.writerow(HEADER)
    writer.writerows(template_rows(site_ids))
    return "\ufeff" + out.getvalue()  # BOM: spreadsheets read the accents as UTF-8


def template_xlsx(site_ids: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Flux"))
    sheet.append(HEADER)
    for row in template_rows(site_ids):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    sheet.column_dimensions["A"].number_format = "@"
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.number_format = "@"  # a SIRET is text: no 1.23E+13
    help_sheet = workbook.create_sheet(str(_("Aide")))
    help_sheet.append([str(_("Colonne")), str(_("Obligatoire")), str(_("Ce qu'elle contient")), str(_("Exemple"))])
    for name, required, text, example in COLUMNS:
        help_sheet.append([name, str(_("oui")) if required else str(_("non")), str(text), example])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 16), ("B", 12), ("C", 90), ("D", 24)):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
