"""Shared production equipment: persona × route matrix, then the booking stories.

A (Lille, territory T) offers a press; C (Metz) looks for an oven; B (T) has asked to book
A's press. Until A accepts, B sees the press anonymised (category, commune, EPCI, distance,
terms) — never A's name, site or the press's own name; A sees who asked (B introduced itself).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from boucle.matching.spatial import haversine_km
from boucle.sharing.models import Booking, Equipment

from route_matrix import check_reads, check_writes
from web_personas import PERSONAS

EVERYONE = set(PERSONAS)
LOGGED = EVERYONE - {"anonymous"}
FACILITATORS = {"facilitator_t", "facilitator_other", "superuser"}
MEMBERS = {"member_a", "admin_a", "member_b"}
OWNERS_A = {"member_a", "admin_a"}
PRESS = "Presse hydraulique Alphaciment 200 t"
MESSAGE_B = "Essai de pressage pour Bravotherm"


def day(n):
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def shared(world):
    a, c = world.sites["A"], world.sites["C"]
    press = Equipment.objects.create(company=a.company, site=a, name=PRESS, category="press",
                                     description="Dans l'atelier Alphaciment, hall 2", conditions="Avec opérateur",
                                     price=Decimal("80"), price_unit="hour", capacity="200 t")
    oven = Equipment.objects.create(company=c.company, site=c, direction="need", name="Étuve Charliepap",
                                    category="oven")
    booking = Booking.objects.create(equipment=press, company=world.sites["B"].company, starts_on=day(10),
                                     ends_on=day(12), message=MESSAGE_B, requested_by=world.users["member_b"])
    world.secrets["A"] = world.secrets["A"] + [PRESS, "atelier Alphaciment"]
    world.secrets["B"] = world.secrets["B"] + [MESSAGE_B]
    world.secrets["C"] = world.secrets["C"] + ["Étuve Charliepap"]
    return {"press": press, "oven": oven, "booking": booking}


def snapshot():
    return (sorted(Equipment.objects.values_list("id", "name", "price", "active")),
            sorted(Booking.objects.values_list("id", "status", "starts_on")))


def _press(s):
    return [s["press"].pk]


def _equipment_post(w, s):
    return {"site": w.sites["A"].pk, "direction": "offer", "name": "Imprimante 3D métal", "category": "3d_printing",
            "price": "40", "price_unit": "day", "windows_text": f"{day(1)} {day(60)}", "active": "on"}


# name → (args, GET allowed, POST allowed, POST data, companies revealed to the owners by design)
ROUTES = {
    "sharing:list": (None, LOGGED, None, None),
    "sharing:create": (None, MEMBERS, MEMBERS - {"member_b"}, _equipment_post),
    "sharing:detail": (_press, LOGGED, None, None),
    "sharing:edit": (_press, OWNERS_A, OWNERS_A, lambda w, s: dict(_equipment_post(w, s), name="Presse révisée")),
    "sharing:request": (_press, None, {"member_b"}, lambda w, s: {
        "company": w.sites["B"].company_id, "starts_on": day(20), "ends_on": day(21), "message": "Série courte"}),
    "sharing:bookings": (None, LOGGED, None, None),
    "sharing:decide": (lambda s: [s["booking"].pk], None, OWNERS_A, lambda w, s: {"action": "accept"}),
    "sharing:microfactory": (None, FACILITATORS, None, None),
}
# The requester introduced itself by asking: the owner's members see B's name and message.
REVEALED = {"member_a": {"B"}, "admin_a": {"B"}}


def test_every_sharing_route_is_in_the_matrix():
    from test_access_matrix import url_patterns

    assert {name for _r, name, ns in url_patterns() if ns == "sharing"} == set(ROUTES)


def _url(key, shared):
    args = ROUTES[key][0]
    return reverse(key, args=args(shared) if args else [])


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_reads(key, world, shared, as_persona):
    check_reads(world, as_persona, _url(key, shared), ROUTES[key][1], revealed=REVEALED)


@pytest.mark.parametrize("key", sorted(k for k in ROUTES if ROUTES[k][2] is not None))
def test_writes(key, world, shared, as_persona):
    _args, _get, allowed, data = ROUTES[key]
    check_writes(world, as_persona, _url(key, shared), allowed, lambda: data(world, shared), snapshot,
                 revealed=REVEALED)


# --- stories -------------------------------------------------------------------------------------------------------

def test_the_press_stays_anonymous_for_b_until_a_accepts(world, shared, as_persona):
    url = reverse("sharing:detail", args=[shared["press"].pk])
    page = as_persona("member_b").get(url).content.decode()
    # A is the only cement works of the region: its commune is not told (``territories.secrecy``)
    assert "presse" in page and "Lille" not in page and "Avec opérateur" in page and "80" in page
    assert PRESS not in page and "Alphaciment" not in page and "hall 2" not in page
    a, b = world.sites["A"], world.sites["B"]
    km = round(float(haversine_km(b.lat, b.lon, a.lat, a.lon)))
    # Anonymous: a band, not the km that would draw a circle through A's site from B's own.
    assert km == 6 and "5–20 km" in page and f"{km} km" not in page

    owner = as_persona("member_a")
    assert MESSAGE_B in owner.get(url).content.decode()
    owner.post(reverse("sharing:decide", args=[shared["booking"].pk]), {"action": "accept"})
    shared["booking"].refresh_from_db()
    assert shared["booking"].status == "accepted" and shared["booking"].decided_by == world.users["member_a"]

    page = as_persona("member_b").get(url).content.decode()
    assert PRESS in page and "Alphaciment SA" in page and "hall 2" in page and f"{km} km" in page
    # C never asked: still anonymous for C's facilitator, who does not steer T.
    assert "Alphaciment" not in as_persona("facilitator_other").get(url).content.decode()


def test_overlapping_bookings_are_refused_with_a_clear_error(world, shared, as_persona):
    as_persona("member_a").post(reverse("sharing:decide", args=[shared["booking"].pk]), {"action": "accept"})
    request = reverse("sharing:request", args=[shared["press"].pk])
    client = as_persona("member_b")
    refused = client.post(request, {"company": world.sites["B"].company_id, "starts_on": day(12), "ends_on": day(14)})
    assert refused.status_code == 400
    assert "chevauchent une réservation déjà acceptée" in refused.content.decode()
    assert Booking.objects.count() == 1
    ok = client.post(request, {"company": world.sites["B"].company_id, "starts_on": day(13), "ends_on": day(14)})
    assert ok.status_code == 302 and Booking.objects.count() == 2

    # Two pending requests on the same days: the owner can accept only one of them.
    first = Booking.objects.create(equipment=shared["press"], company=world.sites["B"].company, starts_on=day(30),
                                   ends_on=day(31))
    second = Booking.objects.create(equipment=shared["press"], company=world.sites["B"].company, starts_on=day(31),
                                    ends_on=day(33))
    owner = as_persona("admin_a")
    owner.post(reverse("sharing:decide", args=[first.pk]), {"action": "accept"})
    response = owner.post(reverse("sharing:decide", args=[second.pk]), {"action": "accept"}, follow=True)
    second.refresh_from_db()
    assert second.status == "pending" and "chevauchent" in response.content.decode()


def test_a_booking_outside_the_availability_windows_is_refused(world, shared, as_persona):
    Equipment.objects.filter(pk=shared["press"].pk).update(windows=[[str(day(1)), str(day(15))]])
    response = as_persona("member_b").post(reverse("sharing:request", args=[shared["press"].pk]), {
        "company": world.sites["B"].company_id, "starts_on": day(14), "ends_on": day(16)})
    assert response.status_code == 400 and "disponibilité" in response.content.decode()


def test_the_requester_cannot_accept_its_own_request_but_may_cancel_it(world, shared, as_persona):
    client = as_persona("member_b")
    url = reverse("sharing:decide", args=[shared["booking"].pk])
    assert client.post(url, {"action": "accept"}).status_code == 403
    client.post(url, {"action": "cancel"})
    shared["booking"].refresh_from_db()
    assert shared["booking"].status == "cancelled"


def test_a_negative_price_is_a_field_error_and_a_database_error(world, as_persona):
    data = dict(_equipment_post(world, None), price="-5")
    response = as_persona("member_a").post(reverse("sharing:create"), data)
    assert response.status_code == 400 and not Equipment.objects.filter(name="Imprimante 3D métal").exists()
    assert "error" in response.content.decode()
    a = world.sites["A"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Equipment.objects.create(company=a.company, site=a, name="x", category="lab", price=Decimal("-1"),
                                 price_unit="day")


def test_windows_typed_badly_point_at_the_line(world, as_persona):
    data = dict(_equipment_post(world, None), windows_text=f"{day(1)} {day(5)}\ndu lundi au vendredi")
    response = as_persona("member_a").post(reverse("sharing:create"), data)
    assert response.status_code == 400 and "Ligne 2" in response.content.decode()


def test_a_member_cannot_declare_equipment_on_another_companys_site(world, as_persona):
    data = dict(_equipment_post(world, None), site=world.sites["A"].pk)
    response = as_persona("member_b").post(reverse("sharing:create"), data)
    assert response.status_code == 400 and not Equipment.objects.filter(name="Imprimante 3D métal").exists()


def test_microfactory_counts_equipment_per_epci_and_category(world, shared, as_persona):
    b = world.sites["B"]
    Equipment.objects.create(company=b.company, site=b, name="Tour CN Bravotherm", category="machining")
    Equipment.objects.create(company=b.company, site=b, name="Presse 50 t", category="press", direction="need")
    page = as_persona("facilitator_t").get(reverse("sharing:microfactory")).content.decode()
    assert "Métropole Européenne de Lille" in page
    assert "<td>presse</td><td>1</td><td>1</td>" in page.replace("\n", "")
    assert "<td>usinage</td><td>1</td><td>0</td>" in page.replace("\n", "")
    assert "Étuve Charliepap" not in page  # another territory


def test_pages_render_in_english(world, shared, as_persona):
    page = as_persona("member_b").get(reverse("sharing:detail", args=[shared["press"].pk]),
                                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Anonymised listing" in page and "Request a booking" in page
