"""JSON API of the invoicing app (DRF viewsets; their serializers are in `serializers`).

Invoices are created from orders (`POST /orders/{id}/invoice/`, registered here because invoicing
depends on sales, not the reverse), posted, cancelled, credited and paid through
`invoicing.services`. Sales create drafts and read; accountants post, pay and credit; portal
customers read their own posted documents; agents have no access.
"""

import datetime

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core import policy
from core.api import PolicyMixin
from core.errors import ConflictError
from core.filters import ListFilterBackend
from sales.models import Order

from .documents import invoice_pdf_bytes, invoice_pdf_filename
from .filters import InvoiceFilter
from .models import Invoice
from .peppol.delivery import peppol_resend
from .peppol.documents import peppol_document_ensure, peppol_xml_bytes, ubl_filename
from .serializers import (
    CreditNoteSerializer,
    InvoiceDatesSerializer,
    InvoiceFromOrderSerializer,
    InvoiceSerializer,
    PaymentSerializer,
)
from .services import (
    invoice_cancel,
    invoice_create_from_order,
    invoice_credit_note,
    invoice_lines_update,
    invoice_post,
    invoice_register_payment,
    invoice_update,
)


class PDFRenderer(renderers.BaseRenderer):
    """Lets clients ask for `Accept: application/pdf`; the PDF view answers the bytes itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


class UBLRenderer(PDFRenderer):
    """`Accept: application/xml` for the UBL download."""

    media_type = "application/xml"
    format = "xml"


def invoice_answer(invoice: Invoice, status_code=status.HTTP_200_OK) -> Response:
    fresh = (
        Invoice.objects.select_related("peppol_document")
        .prefetch_related("lines", "payments")
        .get(pk=invoice.pk)
    )
    return Response(InvoiceSerializer(fresh).data, status=status_code)


@extend_schema_view(
    update=extend_schema(request=InvoiceDatesSerializer, responses=InvoiceSerializer),
    partial_update=extend_schema(request=InvoiceDatesSerializer, responses=InvoiceSerializer),
    post_invoice=extend_schema(request=None, responses=InvoiceSerializer),
    cancel=extend_schema(request=None, responses=InvoiceSerializer),
    credit_note=extend_schema(request=CreditNoteSerializer, responses={201: InvoiceSerializer}),
    pay=extend_schema(request=PaymentSerializer, responses=InvoiceSerializer),
    pdf=extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF.")}
    ),
    ubl=extend_schema(
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The Peppol BIS Billing 3.0 UBL Invoice or CreditNote."
            )
        }
    ),
    send_einvoice=extend_schema(request=None, responses=InvoiceSerializer),
)
class InvoiceViewSet(PolicyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = InvoiceSerializer
    # Portal customers read their own posted documents (get_queryset scopes them).
    action_rules = {
        "list": ("invoice.view", "portal.use"),
        "retrieve": ("invoice.view", "portal.use"),
        "pdf": ("invoice.download", "portal.use"),
        "ubl": ("invoice.download", "portal.use"),
        "send_einvoice": "invoice.send",
        "update": "invoice.edit",
        "partial_update": "invoice.edit",
        "post_invoice": "invoice.post",
        "cancel": "invoice.cancel",
        "credit_note": "invoice.credit",
        "pay": "invoice.pay",
    }
    filter_backends = [ListFilterBackend]
    filterset_class = InvoiceFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Invoice.objects.none()
        return (
            policy.visible(self.request.user, "invoice")
            .select_related("peppol_document")
            .prefetch_related("lines", "payments")
        )

    def update(self, request, pk=None, partial=False):
        invoice = self.get_object()
        serializer = InvoiceDatesSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = data.pop("lines", None)
        # One request, one transaction (ATOMIC_REQUESTS): dates and lines change together or not at all.
        invoice = invoice_update(invoice=invoice, user=request.user, **data)
        if lines is not None:
            invoice = invoice_lines_update(invoice=invoice, user=request.user, lines=lines)
        return invoice_answer(invoice)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    # Not named `post`: a viewset method called like an HTTP verb would answer every POST.
    @action(detail=True, methods=["post"], url_path="post", url_name="post")
    def post_invoice(self, request, pk=None):
        return invoice_answer(invoice_post(invoice=self.get_object(), user=request.user))

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return invoice_answer(invoice_cancel(invoice=self.get_object(), user=request.user))

    @action(detail=True, methods=["post"], url_path="credit_note")
    def credit_note(self, request, pk=None):
        invoice = self.get_object()
        serializer = CreditNoteSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        lines = serializer.validated_data.get("lines")
        credit_note = invoice_credit_note(invoice=invoice, user=request.user, lines=lines)
        return invoice_answer(credit_note, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        invoice = self.get_object()
        serializer = PaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice_register_payment(
            invoice=invoice,
            amount=data["amount"],
            date=data.get("date") or datetime.date.today(),
            user=request.user,
            method=data["method"],
            reference=data["reference"],
        )
        return invoice_answer(invoice)

    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        response = HttpResponse(invoice_pdf_bytes(invoice=invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice_pdf_filename(invoice=invoice)}"'
        return response

    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, UBLRenderer])
    def ubl(self, request, pk=None):
        invoice = self.get_object()
        document = getattr(invoice, "peppol_document", None)
        if document is None:  # posted, but the documents task has not run yet: build it now, once
            document = peppol_document_ensure(invoice=invoice)
        if document is None:
            raise ConflictError(
                f"Invoice {invoice} has no e-invoice: only posted invoices have one.", code="no_ubl"
            )
        response = HttpResponse(peppol_xml_bytes(document), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{ubl_filename(invoice)}"'
        return response

    @action(detail=True, methods=["post"], url_path="send_einvoice")
    def send_einvoice(self, request, pk=None):
        """Queue the e-invoice for (re-)sending over Peppol."""
        invoice = self.get_object()
        peppol_resend(invoice=invoice, user=request.user)
        return invoice_answer(invoice)


class OrderInvoiceViewSet(PolicyMixin, viewsets.GenericViewSet):
    """`POST /orders/{id}/invoice/`: create a draft invoice from a confirmed order."""

    queryset = Order.objects.none()  # for the schema; the order comes from the `order` scope
    serializer_class = InvoiceFromOrderSerializer
    action_rules = {"create": "invoice.create"}

    @extend_schema(
        operation_id="orders_invoice_create",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=InvoiceFromOrderSerializer,
        responses={201: InvoiceSerializer},
        tags=["orders"],
    )
    def create(self, request, id=None):
        order = policy.visible(request.user, "order").filter(pk=_int_or_none(id)).first()
        if order is None:
            raise NotFound()
        serializer = InvoiceFromOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice = invoice_create_from_order(
            order=order,
            user=request.user,
            method=data["method"],
            amount=data.get("amount"),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
        )
        return invoice_answer(invoice, status.HTTP_201_CREATED)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def register(router) -> None:
    """Add this app's viewsets to the v1 router."""
    router.register("invoices", InvoiceViewSet, basename="invoice")
    # The order's invoice action lives with invoicing (invoicing depends on sales, not the reverse).
    router.register(r"orders/(?P<id>[^/.]+)/invoice", OrderInvoiceViewSet, basename="order-invoice")
