"""Every page of the company and facilitator spaces renders for the people it is for."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("persona, name, args", [
    ("member_a", "company-home", []), ("member_a", "company-synergies", []), ("member_a", "company-impact", []),
    ("member_a", "flow-create", []), ("member_a", "flow-import", []), ("admin_a", "company-members", ["A"]),
    ("member_a", "api-tokens", []), ("facilitator_t", "facilitator-home", []), ("facilitator_t", "workshop", []),
    ("facilitator_t", "matching-runs", []), ("facilitator_t", "facilitator-import", []),
    ("facilitator_t", "workshop-row", []), ("member_a", "site-flows", ["A"]),
    ("anonymous", "login", []), ("anonymous", "password_reset", []), ("anonymous", "home", []),
])
def test_page_renders(as_persona, world, persona, name, args):
    args = [world.sites[a].company_id if name == "company-members" else world.sites[a].pk for a in args]
    response = as_persona(persona).get(reverse(name, args=args))
    assert response.status_code == 200, response.content[:500]
