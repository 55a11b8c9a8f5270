"""The OpenAPI schema documents this API without generator errors or warnings."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

OUR_MODULES = ("sales/api/reference.py", "sales/api/orders.py", "timesheets/api.py", "invoicing/api.py")
OUR_MODULES += ("invoicing/serializers.py",)
OUR_VIEWS = ("UomViewSet", "TaxViewSet", "CustomerViewSet", "ProductViewSet", "OrderViewSet")
OUR_VIEWS += ("TimesheetViewSet", "InvoiceViewSet", "OrderInvoiceViewSet")
OUR_PATHS = [
    "/api/v1/uoms/",
    "/api/v1/taxes/",
    "/api/v1/customers/",
    "/api/v1/products/",
    "/api/v1/orders/",
    "/api/v1/orders/{id}/",
    "/api/v1/orders/{id}/confirm/",
    "/api/v1/orders/{id}/lock/",
    "/api/v1/orders/{id}/cancel/",
    "/api/v1/orders/{id}/invoice/",
    "/api/v1/invoices/",
    "/api/v1/invoices/{id}/",
    "/api/v1/invoices/{id}/post/",
    "/api/v1/invoices/{id}/cancel/",
    "/api/v1/invoices/{id}/credit_note/",
    "/api/v1/invoices/{id}/pay/",
    "/api/v1/invoices/{id}/pdf/",
    "/api/v1/timesheets/",
    "/api/v1/timesheets/{id}/",
]


def test_schema_generates_valid_with_no_warnings_from_these_resources():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    ours = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if any(f"/{module}:" in message for module in OUR_MODULES)
        or any(f"[{view}]" in message for view in OUR_VIEWS)
    ]
    assert ours == []
    missing = [path for path in OUR_PATHS if path not in schema["paths"]]
    assert missing == []


def test_schema_documents_filters_and_decimal_strings():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    order_list = schema["paths"]["/api/v1/orders/"]["get"]
    assert {"state", "invoice_status", "customer", "is_upsell", "page", "page_size"} <= {
        p["name"] for p in order_list["parameters"]
    }
    timesheet_list = schema["paths"]["/api/v1/timesheets/"]["get"]
    assert {"ticket", "task", "sale_line", "invoice", "date_from", "date_to"} <= {
        p["name"] for p in timesheet_list["parameters"]
    }
    invoice = schema["components"]["schemas"]["Invoice"]["properties"]
    assert invoice["amount_due"]["type"] == "string"
    assert invoice["amount_due"]["format"] == "decimal"


def test_schema_endpoint_answers(client_for, agent):
    response = client_for(agent).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/orders/{id}/invoice/" in response.content


def test_every_operation_documents_its_errors_and_has_its_own_summary_and_description():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()]
    summaries = [op["summary"] for _method, _path, op in operations]
    descriptions = [op["description"] for _method, _path, op in operations]
    assert len(set(summaries)) == len(summaries) and len(set(descriptions)) == len(descriptions)
    for method, path, op in operations:
        codes = set(op["responses"])
        if path != "/api/v1/auth/token/":
            assert {"401", "403"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method in ("post", "put", "patch"):
            assert "400" in codes, (method, path)
    confirm = schema["paths"]["/api/v1/orders/{id}/confirm/"]["post"]["responses"]
    assert confirm["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["paths"]["/api/v1/auth/token/"]["post"]["responses"].keys() == {"200", "400", "429"}
