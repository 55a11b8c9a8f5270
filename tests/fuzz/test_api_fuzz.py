"""Fuzz the JSON API from its own OpenAPI schema (schemathesis) as every role: whatever the
generated input, no operation answers a server error, and every answer conforms to the schema
(a documented status code, the documented content type, a body that validates).

The schema is the one drf-spectacular serves; requests go straight to the WSGI application
on the test database (no network), with a bounded number of examples per operation so the run
stays within a few minutes. Raise FUZZ_EXAMPLES locally for a deeper run.
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import CustomerFactory, UserFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ("anonymous", "agent", "sales", "accountant", "admin", "superuser", "customer")


def _openapi() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_openapi())
APP = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """A WSGI request closes the database connection when it ends; the test database lives in
    this test's transaction, so (as Django's test client does) keep it open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def auth_headers(request, db):
    role = request.param
    if role == "anonymous":
        return {}
    if role == "superuser":
        user = UserFactory(username="fuzz-root", is_superuser=True, is_staff=True)
    else:
        user = UserFactory(username=f"fuzz-{role}", roles=[role])
    if role == "customer":
        CustomerFactory(name="Fuzz customer").portal_users.add(user)
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_operation_answers_a_server_error(case, auth_headers):
    response = case.call(app=APP, headers=auth_headers)
    case.validate_response(response, checks=CHECKS)
