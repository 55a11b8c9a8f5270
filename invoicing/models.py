from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from core.errors import ConflictError
from core.models import TimeStampedModel
from core.money import MONEY_DIGITS, MONEY_PLACES
from sales.models import exact_qty_field
from sales.services import order_lines_recompute


def money_field(**kwargs):
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


class Invoice(TimeStampedModel):
    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        POSTED = "posted", "Posted"
        CANCEL = "cancel", "Cancelled"

    class PaymentState(models.TextChoices):
        NOT_PAID = "not_paid", "Not paid"
        PARTIAL = "partial", "Partially paid"
        PAID = "paid", "Paid"
        REVERSED = "reversed", "Reversed"

    number = models.CharField(max_length=30, null=True, blank=True, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    customer = models.ForeignKey("sales.Customer", on_delete=models.PROTECT, related_name="invoices")
    order = models.ForeignKey(
        "sales.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    reversed_invoice = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        help_text="For a credit note: the invoice it credits.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    payment_state = models.CharField(
        max_length=10, choices=PaymentState.choices, default=PaymentState.NOT_PAID
    )
    invoice_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True, help_text="Timesheet period billed, if any.")
    period_end = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=60, blank=True)
    amount_untaxed = money_field()
    amount_tax = money_field()
    amount_total = money_field()
    amount_paid = money_field(help_text="Payments received (on a credit note: refunds paid out).")
    amount_settled = money_field(
        help_text="Settled between an invoice and its credit notes (SPEC Credit notes): on the invoice "
        "what its credit notes took off the amount due, on a credit note what it settled."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="invoices/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "payment_state"], name="invoice_state_payment_idx"),
            models.Index(fields=["customer", "state"], name="invoice_customer_state_idx"),
            models.Index(fields=["order"], name="invoice_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(number__isnull=False) | Q(state="cancel"),
                name="invoice_posted_has_number",
            ),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="invoice_paid_not_negative"),
            models.CheckConstraint(condition=Q(amount_settled__gte=0), name="invoice_settled_not_negative"),
        ]

    # Fields that may still change once posted: payment follow-up and the stored document.
    MUTABLE_WHEN_POSTED = frozenset(
        {"amount_paid", "amount_settled", "payment_state", "pdf", "pdf_sha256", "sent_at", "updated_at"}
    )

    def __str__(self):
        return self.number or f"Draft invoice #{self.pk}"

    @property
    def amount_due(self) -> Decimal:
        """What is still to be paid: by the customer on an invoice, to the customer (the refund)
        on a credit note."""
        return self.amount_total - self.amount_paid - self.amount_settled

    @property
    def sign(self) -> int:
        """Credit notes count negative in lists, totals, exports and the API."""
        return -1 if self.kind == self.Kind.CREDIT_NOTE else 1

    def signed(self, value: Decimal) -> Decimal:
        """`value` as lists, totals, exports and the API show it: negative on a credit note
        (never "-0.00")."""
        return -value if self.sign < 0 and value else value

    @property
    def amount_untaxed_signed(self) -> Decimal:
        return self.signed(self.amount_untaxed)

    @property
    def amount_tax_signed(self) -> Decimal:
        return self.signed(self.amount_tax)

    @property
    def amount_total_signed(self) -> Decimal:
        return self.signed(self.amount_total)

    @property
    def amount_paid_signed(self) -> Decimal:
        return self.signed(self.amount_paid)

    @property
    def amount_due_signed(self) -> Decimal:
        return self.signed(self.amount_due)

    @property
    def pdf_ready(self) -> bool:
        """Posted and its PDF stored (rendered after posting by a Celery task)."""
        return self.state == self.State.POSTED and bool(self.pdf_sha256)

    @property
    def is_live(self) -> bool:
        """Draft or posted: its timesheet lines are billed."""
        return self.state != self.State.CANCEL

    def save(self, *args, **kwargs):
        # A posted invoice is never edited (SPEC Invoicing): refuse a save that changes any
        # frozen field of a stored posted row, whoever calls it (admin, shell, a view).
        if not self._state.adding and self.pk is not None:
            frozen = [
                f.attname
                for f in self._meta.concrete_fields
                if f.attname not in self.MUTABLE_WHEN_POSTED and f.attname != "id"
            ]
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                frozen = [
                    name
                    for name in frozen
                    if name in set(update_fields) or f"{name}_id" in set(update_fields)
                ]
            posted = Invoice.objects.filter(pk=self.pk, state=self.State.POSTED)
            stored = frozen and posted.values(*frozen).first()
            if stored and any(stored[name] != getattr(self, name) for name in frozen):
                raise ConflictError(
                    f"Invoice {self} is posted and can no longer be changed; issue a credit note instead.",
                    code="invoice_posted",
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.pk, state=self.State.POSTED).exists():
            raise ConflictError(
                f"Invoice {self} is posted and cannot be deleted; issue a credit note instead.",
                code="invoice_posted",
            )
        # A draft deleted (e.g. in the admin) releases its timesheet lines like a cancel does:
        # recompute the order lines it billed once it is gone.
        sale_line_ids = list(self.lines.exclude(sale_line=None).values_list("sale_line_id", flat=True))
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            order_lines_recompute(line_ids=sale_line_ids)
        return result


class InvoiceLine(models.Model):
    class DisplayType(models.TextChoices):
        PRODUCT = "product", "Product"
        SECTION = "section", "Section"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=10)
    display_type = models.CharField(max_length=10, choices=DisplayType.choices, default=DisplayType.PRODUCT)
    sale_line = models.ForeignKey(
        "sales.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    product = models.ForeignKey(
        "sales.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=500, blank=True)
    # Exact (1.625 Days for 13 h): the subtotal is computed from it, never from a rounding.
    quantity = exact_qty_field()
    uom = models.ForeignKey("sales.Uom", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    price_unit = money_field()
    discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    tax = models.ForeignKey("sales.Tax", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tax_rate = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=Decimal("0.000"),
        help_text="The tax rate when the line was written.",
    )
    subtotal = money_field()
    tax_amount = money_field()
    total = money_field()
    is_downpayment = models.BooleanField(default=False)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    reversed_line = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_lines",
        help_text="On a credit note: the invoice line it credits.",
    )

    class Meta:
        ordering = ["invoice_id", "sequence", "id"]
        indexes = [models.Index(fields=["sale_line"], name="invoice_line_sale_line_idx")]

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            self._ensure_invoice_not_posted()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._ensure_invoice_not_posted()
        return super().delete(*args, **kwargs)

    def _ensure_invoice_not_posted(self) -> None:
        if InvoiceLine.objects.filter(pk=self.pk, invoice__state=Invoice.State.POSTED).exists():
            raise ConflictError(
                "The lines of a posted invoice can no longer be changed; issue a credit note instead.",
                code="invoice_posted",
            )


class Payment(TimeStampedModel):
    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CARD = "card", "Card"
        CASH = "cash", "Cash"
        CHECK = "check", "Cheque"
        OTHER = "other", "Other"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    date = models.DateField()
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.BANK_TRANSFER)
    reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return f"{self.amount} on {self.date}"


class PeppolDocument(TimeStampedModel):
    """The Peppol BIS Billing 3.0 UBL of a posted invoice or credit note, and its delivery.

    The XML is written once at posting (with the PDF embedded) and kept with its SHA-256; only
    the delivery fields change afterwards.
    """

    class Status(models.TextChoices):
        NOT_SENT = "not_sent", "Not sent (e-mail channel)"
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="peppol_document")
    xml = models.FileField(upload_to="einvoices/%Y/")
    xml_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NOT_SENT)
    status_message = models.CharField(max_length=1000, blank=True, help_text="Why it failed, or what to fix.")
    attempts = models.PositiveSmallIntegerField(default=0)
    sender = models.CharField(max_length=20, blank=True, help_text="Which sender handed it over.")
    provider_reference = models.CharField(max_length=200, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="peppol_document_status_idx")]

    def __str__(self):
        return f"UBL of {self.invoice}"

    @property
    def can_send(self) -> bool:
        """Not already on its way: a queued document is in Celery's hands."""
        return self.status != self.Status.QUEUED
