from django.urls import path

from . import company_views as company
from . import facilitator_views as facilitator
from . import views, workshop

urlpatterns = [
    path("", views.home, name="home"),
    path("theme.css", views.theme_stylesheet, name="theme-css"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("carte/", views.territory_map, name="map"),
    path("carte/sites.json", views.map_sites, name="map-sites"),
    path("carte/synergies.json", views.map_lines, name="map-lines"),
    path("carte/epci.geojson", views.epci_outlines, name="map-epci"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    # company space
    path("espace/", company.company_home, name="company-home"),
    path("espace/sites/<int:pk>/flux/", company.site_flows, name="site-flows"),
    path("espace/flux/nouveau/", company.flow_create, name="flow-create"),
    path("espace/flux/<int:pk>/", company.flow_edit, name="flow-edit"),
    path("espace/flux/<int:pk>/supprimer/", company.flow_delete, name="flow-delete"),
    path("espace/import/", company.flow_import, name="flow-import"),
    path("espace/import/modele.<str:fmt>", company.flow_import_template, name="flow-import-template"),
    path("espace/synergies/", company.company_synergies, name="company-synergies"),
    path("espace/impact/", company.company_impact, name="company-impact"),
    path("synergies/<int:pk>/", company.synergy_detail, name="synergy-detail"),
    path("synergies/<int:pk>/interet/", company.synergy_interest, name="synergy-interest"),
    path("choix/codes-dechets/", company.picker_ewc, name="picker-ewc"),
    path("choix/matieres/", company.picker_materials, name="picker-materials"),
    # facilitator space
    path("animation/", facilitator.facilitator_home, name="facilitator-home"),
    path("animation/synergies/", facilitator.synergy_list, name="facilitator-synergies"),
    path("animation/chiffres/", facilitator.territory_figures, name="facilitator-figures"),
    path("animation/synergies/<int:pk>/statut/", facilitator.synergy_transition, name="synergy-transition"),
    path("animation/synergies/<int:pk>/resultat/", facilitator.synergy_outcome, name="synergy-outcome"),
    path("animation/rapprochement/", facilitator.matching_runs, name="matching-runs"),
    path("animation/rapprochement/relecture/", facilitator.rereading_detail, name="rereading"),
    path("animation/import/", facilitator.facilitator_import, name="facilitator-import"),
    path("animation/atelier/", workshop.workshop, name="workshop"),
    path("animation/atelier/ligne/", workshop.workshop_row, name="workshop-row"),
]
