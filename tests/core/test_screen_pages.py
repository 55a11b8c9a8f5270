"""The page list of the narrow-screen and accessibility runs (tests/e2e/pages.py) holds every
browser route of the URL resolver: a page added without its visit (or a reason it has no screen
of its own) fails here, without a browser."""

import pytest

from tests.e2e.pages import NOT_PAGES, ROLES, every_page_company, missing_routes, visits
from tests.security.matrix_urls import site_routes


@pytest.mark.django_db
def test_every_browser_route_is_visited_or_has_its_reason():
    every_page_company()
    found = visits()
    assert not missing_routes(found), f"pages without a visit or a reason: {missing_routes(found)}"
    routes = {route.key for route in site_routes()}
    assert set(NOT_PAGES) <= routes, f"reasons for routes that no longer exist: {set(NOT_PAGES) - routes}"
    assert {visit.role for visit in found} == {"anonymous", *ROLES}
