"""The write path of passports: validate everything a resolver or a reader will rely on, then save.

A passport whose GTIN has a wrong check digit would be printed on labels the resolver then
refuses (400) forever, and a document typed with a withdrawn GS1 link type would break the
linkset; so both are refused here, once, for the admin and the API alike.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boucle.gs1 import GS1Error, is_valid_gtin
from boucle.gs1.linkset import normalize_link_type
from boucle.gs1.validate import validate_pairs
from boucle.messages import translate

from .access import DEFAULT_TIERS
from .models import TIER_RANK, ChainHead, Passport

EDITABLE = ("name", "description", "composition", "hazardous_substances", "recycled_content_percent",
            "carbon_footprint_kg", "carbon_method", "repair_instructions", "disassembly_instructions",
            "reuse_instructions", "recycling_instructions", "documents", "tiers", "repairability", "spare_parts",
            "disassembly_steps", "production_equipment")


def _number(value, field, errors, *, upper=None):
    if value is None:
        return
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or (upper and value > upper):
        message = (_("%(value)s : un nombre entre 0 et %(upper)s est attendu") if upper
                   else _("%(value)s : un nombre positif ou nul est attendu"))
        errors.setdefault(field, []).append(message % {"value": repr(value), "upper": upper})


def passport_errors(p: Passport) -> dict[str, list[str]]:
    """Every problem of ``p``, field -> messages (empty when valid)."""
    errors: dict[str, list[str]] = {}
    if p.gtin and not is_valid_gtin(p.gtin):
        errors["gtin"] = [_("%(gtin)s n'est pas un GTIN valide (clé de contrôle)") % {"gtin": p.gtin}]
    elif p.gtin or p.giai:
        pairs = p.gs1_pairs()
        if p.gtin and len(p.gtin) != 14:
            errors["gtin"] = [_("écrire le GTIN sur 14 chiffres (GTIN-14, complété par des zéros à gauche)")]
        try:
            validate_pairs(pairs)
        except GS1Error as err:
            errors.setdefault(err.ai and {"01": "gtin", "10": "lot", "21": "serial", "8004": "giai"}.get(err.ai, "gtin")
                              or "gtin", []).append(translate(err))
    if p.gtin and p.giai:
        errors.setdefault("giai", []).append(_("un passeport a une seule clé GS1 : un GTIN ou un GIAI"))
    if (p.lot or p.serial) and not p.gtin:
        errors.setdefault("lot", []).append(_("un lot ou un numéro de série précise un GTIN"))
    expected = Passport.Level.MODEL
    if p.serial or p.giai:
        expected = Passport.Level.ITEM
    elif p.lot:
        expected = Passport.Level.BATCH
    if p.is_gs1 and p.level != expected:
        from .views import LEVEL_WORDS

        errors.setdefault("level", []).append(_("cet identifiant est au niveau « %(level)s »")
                                              % {"level": LEVEL_WORDS[expected]})
    for i, material in enumerate(p.composition or []):
        if not isinstance(material, dict) or not material.get("material"):
            errors.setdefault("composition", []).append(_("entrée %(i)s : « material » manquant") % {"i": i})
            continue
        _number(material.get("mass_kg"), "composition", errors)
        _number(material.get("percent"), "composition", errors, upper=100)
    for i, substance in enumerate(p.hazardous_substances or []):
        if not isinstance(substance, dict) or not substance.get("name"):
            errors.setdefault("hazardous_substances", []).append(_("entrée %(i)s : « name » manquant") % {"i": i})
    _number(p.recycled_content_percent, "recycled_content_percent", errors, upper=100)
    _number(p.carbon_footprint_kg, "carbon_footprint_kg", errors)
    if p.carbon_footprint_kg is not None and not p.carbon_method:
        errors.setdefault("carbon_method", []).append(_("une empreinte carbone demande sa méthode"))
    for i, doc in enumerate(p.documents or []):
        url = doc.get("url", "") if isinstance(doc, dict) else ""
        if not url.startswith(("http://", "https://")):
            errors.setdefault("documents", []).append(_("entrée %(i)s : une « url » http(s) est attendue") % {"i": i})
            continue
        try:
            normalize_link_type(doc.get("link_type") or "gs1:certificationInfo")
        except GS1Error as err:
            errors.setdefault("documents", []).append(_("entrée %(i)s : %(error)s") % {"i": i, "error": translate(err)})
    from . import repair

    for field, found in (("repairability", repair.repairability_errors(p.repairability)),
                         ("spare_parts", repair.spare_parts_errors(p.spare_parts)),
                         ("disassembly_steps", repair.disassembly_errors(p.disassembly_steps))):
        if found:
            errors.setdefault(field, []).extend(translate(m) for m in found)
    for field, tier in (p.tiers or {}).items():
        if field not in DEFAULT_TIERS or tier not in TIER_RANK:
            errors.setdefault("tiers", []).append(
                _("%(field)s=%(tier)s : champs possibles %(fields)s ; niveaux possibles %(tiers)s")
                % {"field": field, "tier": repr(tier), "fields": ", ".join(DEFAULT_TIERS), "tiers": ", ".join(TIER_RANK)})
    return errors


def save_passport(p: Passport) -> Passport:
    """Validate and save (new or edited), with its empty chain head; raises ValidationError."""
    errors = passport_errors(p)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        p.save()
        ChainHead.objects.get_or_create(passport=p)
    return p


def issue_passport(site, data: dict) -> Passport:
    """A new passport of ``site`` from plain data (the JSON API's body)."""
    unknown = set(data) - set(EDITABLE) - {"level", "gtin", "lot", "serial", "giai"}
    if unknown:
        raise ValidationError({"__all__": [ngettext("champ inconnu : %(fields)s", "champs inconnus : %(fields)s",
                                                    len(unknown)) % {"fields": ", ".join(sorted(unknown))}]})
    p = Passport(site=site, **{k: v for k, v in data.items() if v is not None})
    if not p.level:
        p.level = (Passport.Level.ITEM if p.serial or p.giai or not p.gtin
                   else Passport.Level.BATCH if p.lot else Passport.Level.MODEL)
    if Passport.objects.filter(gtin=p.gtin, lot=p.lot, serial=p.serial).exclude(gtin="").exists() or (
            p.giai and Passport.objects.filter(giai=p.giai).exists()):
        raise ValidationError({"giai" if p.giai else "gtin": [_("un passeport existe déjà pour cet identifiant")]})
    return save_passport(p)
