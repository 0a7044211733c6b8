import pytest

from boucle.territories.refs import TerritoryError, resolve

pytestmark = pytest.mark.django_db


def test_explicit_references_resolve_to_member_communes():
    region = resolve("region:32")
    assert region.name == "Hauts-de-France"
    lille = resolve("commune:59350")
    assert lille.communes().get().name == "Lille"
    assert region.communes().filter(insee="59350").exists()
    assert not resolve("region:44").communes().filter(insee="59350").exists()


def test_epci_straddling_counts_only_its_member_communes():
    epci = resolve("epci:200093201")  # Métropole Européenne de Lille
    communes = epci.communes()
    assert communes.filter(insee="59350").exists() and communes.count() > 50


def test_bare_code_is_accepted_when_unambiguous_and_lists_choices_otherwise():
    assert str(resolve("59")) == "departement:59"
    with pytest.raises(TerritoryError, match="ambigu") as err:
        resolve("44")  # region Grand Est and département Loire-Atlantique
    assert "region:44" in str(err.value) and "departement:44" in str(err.value)


def test_unknown_reference_is_an_error():
    with pytest.raises(TerritoryError, match="pas de epci"):
        resolve("epci:000000000")
    with pytest.raises(TerritoryError, match="niveau de territoire"):
        resolve("canton:12")
