"""JSON API of the invoicing app (DRF views + serializers).

Invoices are created from orders (`POST /orders/{id}/invoice/`, registered here because invoicing
depends on sales, not the reverse), posted, cancelled, credited and paid through
`invoicing.services`. Sales create drafts and read; accountants post, pay and credit; portal
customers read their own posted documents; agents have no access.
"""

import datetime
from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from core.api import ExactQuantityField, PolicyMixin, is_staff_user
from core.errors import ConflictError
from core.filters import ListFilterBackend
from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, MONEY_DIGITS, MONEY_PLACES
from sales.models import Order, Tax, Uom
from sales.selectors import orders_visible_to, portal_customers

from .documents import invoice_pdf_bytes, invoice_pdf_filename
from .filters import InvoiceFilter
from .models import Invoice, InvoiceLine, Payment, PeppolDocument
from .peppol.delivery import peppol_resend
from .peppol.documents import peppol_document_ensure, peppol_xml_bytes, ubl_filename
from .services import (
    Method,
    invoice_cancel,
    invoice_create_from_order,
    invoice_credit_note,
    invoice_lines_update,
    invoice_post,
    invoice_register_payment,
    invoice_update,
)


class InvoiceLineSerializer(serializers.ModelSerializer):
    quantity = ExactQuantityField()

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "sequence",
            "display_type",
            "product",
            "description",
            "quantity",
            "uom",
            "price_unit",
            "discount",
            "tax",
            "tax_rate",
            "subtotal",
            "tax_amount",
            "total",
            "sale_line",
            "is_downpayment",
            "period_start",
            "period_end",
            "reversed_line",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    """A payment as answered, and the body of the `pay` action."""

    amount = serializers.DecimalField(
        max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, min_value=Decimal("0.01")
    )
    date = serializers.DateField(required=False, help_text="Defaults to today.")
    method = serializers.ChoiceField(choices=Payment.Method.choices, default=Payment.Method.BANK_TRANSFER)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    class Meta:
        model = Payment
        fields = ["id", "amount", "date", "method", "reference"]
        read_only_fields = ["id"]


class PeppolDocumentSerializer(serializers.ModelSerializer):
    """The e-invoice (Peppol UBL) of a posted invoice and where its delivery stands."""

    class Meta:
        model = PeppolDocument
        fields = ["status", "status_message", "attempts", "sha256", "queued_at", "sent_at", "delivered_at"]
        extra_kwargs = {"sha256": {"source": "xml_sha256"}}
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice or credit note as answered (a draft accepts dates and lines: InvoiceDatesSerializer)."""

    einvoice = serializers.SerializerMethodField(help_text="The Peppol e-invoice; null until posted.")

    amount_due = serializers.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        read_only=True,
        help_text="Total − paid − settled by credit notes (on a credit note: the refund still owed).",
    )
    amount_total_signed = serializers.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        read_only=True,
        help_text="The total, negative for credit notes.",
    )
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    pdf_ready = serializers.BooleanField(
        read_only=True,
        help_text="Posted and its PDF stored. False while the PDF is being prepared (rendered after "
        "posting); `GET pdf/` then renders and stores it first.",
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "customer",
            "order",
            "reversed_invoice",
            "state",
            "payment_state",
            "invoice_date",
            "due_date",
            "period_start",
            "period_end",
            "payment_reference",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "amount_total_signed",
            "amount_paid",
            "amount_settled",
            "amount_due",
            "lines",
            "payments",
            "einvoice",
            "pdf_ready",
        ]
        read_only_fields = [f for f in fields if f not in ("invoice_date", "due_date")]

    @extend_schema_field(PeppolDocumentSerializer(allow_null=True))
    def get_einvoice(self, invoice):
        document = getattr(invoice, "peppol_document", None)
        return PeppolDocumentSerializer(document).data if document is not None else None


class InvoiceLineInputSerializer(serializers.Serializer):
    """One line of a draft invoice: `id` of an existing line, or none for a new free line."""

    id = serializers.IntegerField(required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2, required=False)
    uom = serializers.PrimaryKeyRelatedField(queryset=Uom.objects.all(), required=False, allow_null=True)
    price_unit = serializers.DecimalField(
        max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, required=False
    )
    discount = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    tax = serializers.PrimaryKeyRelatedField(
        queryset=Tax.objects.filter(active=True), required=False, allow_null=True
    )


class InvoiceDatesSerializer(serializers.Serializer):
    """What a draft invoice accepts: its dates and its lines (replaced as a whole when given)."""

    invoice_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    lines = InvoiceLineInputSerializer(many=True, required=False)


class InvoiceFromOrderSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Method.CHOICES, default=Method.REGULAR)
    amount = serializers.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text="Down payments: the percentage, or the fixed amount including tax.",
    )
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs.get("method", Method.REGULAR) != Method.REGULAR and attrs.get("amount") is None:
            raise ValidationError({"amount": ["A down payment needs an amount."]})
        start, end = attrs.get("period_start"), attrs.get("period_end")
        if start and end and start > end:
            raise ValidationError({"period_end": ["The period ends before it starts."]})
        return attrs


class CreditNoteLineSerializer(serializers.Serializer):
    invoice_line = serializers.IntegerField(help_text="A product line of the invoice credited.")
    quantity = serializers.DecimalField(
        max_digits=EXACT_QTY_DIGITS,
        decimal_places=EXACT_QTY_PLACES,
        help_text="At most what is not yet credited.",
    )


class CreditNoteSerializer(serializers.Serializer):
    """No body (or no `lines`): a full credit note. With `lines`: a partial one."""

    lines = CreditNoteLineSerializer(many=True, required=False)


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


def invoices_visible_to(user):
    """Staff readers see every invoice; portal customers the posted documents of their customers."""
    qs = Invoice.objects.select_related("peppol_document").prefetch_related("lines", "payments")
    if is_staff_user(user):
        return qs
    return qs.filter(customer__in=portal_customers(user), state=Invoice.State.POSTED)


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
        return invoices_visible_to(self.request.user)

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

    queryset = Order.objects.none()  # for the schema; the order comes from `orders_visible_to`
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
        order = orders_visible_to(request.user).filter(pk=_int_or_none(id)).first()
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
