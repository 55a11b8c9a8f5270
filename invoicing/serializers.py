"""Serializers of the invoicing JSON API: invoices as answered, and the bodies the actions accept
(dates and lines of a draft, an invoice from an order, a credit note, a payment)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.api import ExactQuantityField
from core.money import EXACT_QTY_DIGITS, EXACT_QTY_PLACES, MONEY_DIGITS, MONEY_PLACES
from sales.models import Tax, Uom

from .models import Invoice, InvoiceLine, Payment, PeppolDocument
from .selectors import Method


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
