"""The write path for sites and flow deletion that pages, the API and imports share.

A site is validated by ``importers.SiteRow`` (the import file's rules) whatever door it
comes through; a change to an imported site is a correction (``corrections.correct``), so
the next import does not undo it, exactly as for flows (``web.flow_forms.FlowForm``).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from boucle.accounts.access import can_edit_site, can_see_site, member_company_ids

from . import fields as F
from .corrections import CORRECTABLE, correct
from .importers import Report, SiteRow, _write_sites
from .models import Site

SITE_FIELDS = {"name": "name", "naf_id": "naf_code", "activity": "activity", "lat": "latitude", "lon": "longitude",
               "commune_id": "commune_insee", "country": "country"}


def site_row(site: Site) -> dict:
    """A site as the text row the importer reads (what an update starts from)."""
    values = {"site_id": site.site_id, "name": site.name, "naf_code": site.naf_id or "", "activity": site.activity,
              "latitude": "" if site.lat is None else repr(site.lat),
              "longitude": "" if site.lon is None else repr(site.lon),
              "commune_insee": site.commune_id or "", "country": site.country}
    return values


def _may_hold(user, site: Site) -> bool:
    """Whether ``user`` may own this (new or moved) site: a member of its company, a facilitator of its
    territory, the administrator; the same rule as ``can_edit_site`` on the site as it would be."""
    if user.is_superuser:
        return True
    if site.company_id and site.company_id in member_company_ids(user):
        return True
    return site.commune_id is not None and can_see_site(user, site)


@transaction.atomic
def create_site(user, row: dict, source: str = "api") -> Site:
    """A new site from a row (``SiteRow`` columns). Raises ``CellError`` (``column`` set) or PermissionDenied."""
    sid, kind, values = SiteRow().parse(row)
    if Site.objects.filter(site_id=sid).exists():
        error = F.CellError(_("site_id: %(value)s existe déjà") % {"value": sid})
        error.column = "site_id"
        raise error
    company = None
    if kind == "siret":
        from .models import Company

        company = Company.objects.filter(siren=sid[:9]).first()
    probe = Site(site_id=sid, company=company, **values)
    if values["commune_id"]:
        probe.commune  # noqa: B018 - load it for can_see_site
    if not _may_hold(user, probe):
        raise PermissionDenied(_("Vous ne pouvez déclarer un site que pour votre entreprise ou dans votre territoire."))
    _write_sites([(0, sid, kind, values)], Report(), source)  # the importer's write: company found or made
    return Site.objects.select_related("company", "commune").get(site_id=sid)


@transaction.atomic
def update_site(user, site: Site, changes: dict, reason: str = "api") -> Site:
    """Change some fields of a site (``SiteRow`` columns, plus ``closed``). An imported site is corrected
    field by field (the correction survives the next import); a typed one is simply saved."""
    if not can_edit_site(user, site):
        raise PermissionDenied(_("Vous ne pouvez pas modifier ce site."))
    row = site_row(site)
    row.update({k: v for k, v in changes.items() if k in row and k != "site_id"})
    _sid, _kind, values = SiteRow().parse(row)
    if "closed" in changes:
        values["closed"] = bool(changes["closed"])
    moved = Site(pk=site.pk, site_id=site.site_id, company_id=site.company_id, **values)
    if not _may_hold(user, moved):
        raise PermissionDenied(_("Ce site sortirait de votre territoire."))
    changed = {name: value for name, value in values.items() if getattr(site, name) != value}
    plain = []
    for name, value in changed.items():
        if site.imported_at and name in CORRECTABLE[Site]:
            correct(site, name, value, author=user, reason=reason)
        else:
            setattr(site, name, value)
            plain.append(name)
    if plain:
        site.save(update_fields=plain)
    return Site.objects.select_related("company", "commune").get(pk=site.pk)


def delete_flow(user, flow) -> None:
    """Members delete their company's flows; facilitators those of their territory (``can_edit_site``)."""
    if not can_edit_site(user, flow.site):
        raise PermissionDenied(_("Vous ne pouvez pas supprimer ce flux."))
    flow.delete()
