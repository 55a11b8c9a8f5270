from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from core.money import (
    EXACT_QTY_DIGITS,
    EXACT_QTY_PLACES,
    MONEY_DIGITS,
    MONEY_PLACES,
    QTY_DIGITS,
    QTY_PLACES,
)

from .identifiers import peppol_fields_clean, tax_category_clean
from .product_rules import POLICIES_BY_TYPE, InvoicePolicy, ProductType, ServiceTracking, product_rule_errors


def validate_billable_minutes(value):
    """Rounding steps and minimums are multiples of 3 minutes (exact in hours to two decimals)."""
    if value is not None and (value % 3 or value > 480):
        raise ValidationError("Use a multiple of 3 minutes up to 480 (e.g. 6, 15, 30, 60).")


def billable_minutes_field(**kwargs):
    return models.PositiveSmallIntegerField(validators=[validate_billable_minutes], **kwargs)


def money_field(**kwargs):
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def qty_field(**kwargs):
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, **kwargs)


def exact_qty_field(**kwargs):
    """A quantity derived by unit conversion (13 h = 1.625 Days): stored exact, shown rounded."""
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(max_digits=EXACT_QTY_DIGITS, decimal_places=EXACT_QTY_PLACES, **kwargs)


class UomCategory(models.Model):
    class Kind(models.TextChoices):
        TIME = "time", "Time"
        UNIT = "unit", "Units"

    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)

    class Meta:
        verbose_name = "unit category"
        verbose_name_plural = "unit categories"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Uom(models.Model):
    """A unit of measure; `ratio` is how many reference units (Hours, Units) one of it is."""

    name = models.CharField(max_length=60, unique=True)
    category = models.ForeignKey(UomCategory, on_delete=models.PROTECT, related_name="uoms")
    ratio = models.DecimalField(max_digits=12, decimal_places=5, default=Decimal("1"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "unit of measure"
        verbose_name_plural = "units of measure"
        ordering = ["category__name", "ratio", "name"]
        constraints = [models.CheckConstraint(condition=Q(ratio__gt=0), name="uom_ratio_positive")]

    def __str__(self):
        return self.name

    @property
    def is_time(self) -> bool:
        return self.category.kind == UomCategory.Kind.TIME


class Tax(models.Model):
    class VatCategory(models.TextChoices):
        # UNCL 5305 codes of EN 16931; blank = S when the rate is above 0, else Z, or AE for a
        # business customer in another EU country (intra-EU reverse charge).
        AUTO = "", "Automatic (from the rate and the customer)"
        STANDARD = "S", "Standard rate (S)"
        ZERO = "Z", "Zero rated (Z)"
        EXEMPT = "E", "Exempt from VAT (E)"
        REVERSE_CHARGE = "AE", "Reverse charge (AE)"
        INTRA_EU = "K", "Intra-EU supply of goods (K)"
        EXPORT = "G", "Export outside the EU (G)"
        OUT_OF_SCOPE = "O", "Not subject to VAT (O)"

    name = models.CharField(max_length=60, unique=True)
    rate = models.DecimalField(max_digits=6, decimal_places=3, help_text="Percent, e.g. 21.000")
    active = models.BooleanField(default=True)
    vat_category = models.CharField(
        "VAT category", max_length=2, choices=VatCategory.choices, blank=True, default=""
    )
    exemption_reason_code = models.CharField(
        max_length=30,
        blank=True,
        help_text="VATEX code of an exempt or reverse-charged tax, e.g. VATEX-EU-AE.",
    )
    exemption_reason = models.CharField(
        max_length=200, blank=True, help_text="Printed on the invoice, e.g. 'Exempt, article 44 VAT Code'."
    )

    class Meta:
        verbose_name_plural = "taxes"
        ordering = ["rate", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="tax_rate_percent")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        tax_category_clean(self)


class Customer(TimeStampedModel):
    class DeliveryChannel(models.TextChoices):
        EMAIL = "email", "E-mail (PDF with Factur-X)"
        PEPPOL = "peppol", "Peppol e-invoice"

    name = models.CharField(max_length=200, db_index=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    vat = models.CharField("VAT number", max_length=40, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code")
    payment_term_days = models.PositiveSmallIntegerField(default=30)
    # Billable rounding (SPEC Time policy): each timesheet line billed rounded up to this step.
    billable_rounding_minutes = billable_minutes_field(
        default=0,
        db_default=0,
        help_text="Round each timesheet line up to this many minutes when billing (0: none).",
    )
    billable_minimum_minutes = billable_minutes_field(
        default=0, db_default=0, help_text="Bill each timesheet line at least this many minutes (0: none)."
    )
    delivery_channel = models.CharField(
        max_length=10,
        choices=DeliveryChannel.choices,
        default=DeliveryChannel.EMAIL,
        help_text="How posted invoices reach the customer.",
    )
    peppol_id = models.CharField(
        "Peppol id",
        max_length=60,
        blank=True,
        help_text="Peppol participant id, scheme:identifier (Belgium: 0208:enterprise number).",
    )
    portal_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="customers",
        help_text="Portal contacts who may see this customer's tickets, hours and invoices.",
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        peppol_fields_clean(self)


class Product(TimeStampedModel):
    Type = ProductType
    InvoicePolicy = InvoicePolicy
    ServiceTracking = ServiceTracking

    name = models.CharField(max_length=200, db_index=True)
    default_code = models.CharField("internal reference", max_length=40, blank=True)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.SERVICE)
    invoice_policy = models.CharField(
        max_length=10, choices=InvoicePolicy.choices, default=InvoicePolicy.PREPAID
    )
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+")
    price = money_field(verbose_name="sales price")
    tax = models.ForeignKey(Tax, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_tracking = models.CharField(
        max_length=10, choices=ServiceTracking.choices, default=ServiceTracking.NONE
    )
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Project in which confirmed orders create tasks (service tracking 'task').",
    )
    upsell_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text="Percent of the sold quantity at which the order becomes an upsell opportunity.",
    )
    qty_on_hand = qty_field(verbose_name="quantity on hand")
    # Overrides the customer's billable rounding for time logged on this product (empty: theirs).
    billable_rounding_minutes = billable_minutes_field(
        null=True, blank=True, help_text="Overrides the customer's rounding step (empty: the customer's)."
    )
    billable_minimum_minutes = billable_minutes_field(
        null=True, blank=True, help_text="Overrides the customer's minimum (empty: the customer's)."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(upsell_threshold__isnull=True)
                | (Q(upsell_threshold__gt=0) & Q(upsell_threshold__lte=100)),
                name="product_upsell_threshold_percent",
            ),
            models.CheckConstraint(
                condition=(
                    Q(type=ProductType.GOODS) & Q(invoice_policy__in=POLICIES_BY_TYPE[ProductType.GOODS])
                )
                | (Q(type=ProductType.SERVICE) & Q(invoice_policy__in=POLICIES_BY_TYPE[ProductType.SERVICE])),
                name="product_policy_matches_type",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = product_rule_errors(
            type=self.type,
            invoice_policy=self.invoice_policy,
            service_tracking=self.service_tracking,
            project_id=self.project_id,
        )
        if errors:
            raise ValidationError(errors)


class Order(TimeStampedModel):
    class State(models.TextChoices):
        DRAFT = "draft", "Quotation"
        SALE = "sale", "Sales order"
        DONE = "done", "Locked"
        CANCEL = "cancel", "Cancelled"

    class InvoiceStatus(models.TextChoices):
        NO = "no", "Nothing to invoice"
        TO_INVOICE = "to_invoice", "To invoice"
        INVOICED = "invoiced", "Fully invoiced"
        UPSELLING = "upselling", "Upselling opportunity"

    class UpsellReason(models.TextChoices):
        NONE = "", "—"
        CONSUMED = "consumed", "Consumed"
        FORECAST = "forecast", "Forecast to run out"

    name = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    order_date = models.DateField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    client_reference = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    invoice_status = models.CharField(max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.NO)
    amount_untaxed = money_field()
    amount_tax = money_field()
    amount_total = money_field()
    is_upsell = models.BooleanField(default=False)
    upsell_reason = models.CharField(
        max_length=10, choices=UpsellReason.choices, default=UpsellReason.NONE, blank=True
    )
    upsell_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-order_date", "-id"]
        indexes = [
            # The lists' order: a page of orders is read off this index, not sorted whole.
            models.Index(fields=["-order_date", "-id"], name="order_date_id_idx"),
            models.Index(fields=["state", "invoice_status"], name="order_state_status_idx"),
            models.Index(fields=["customer", "-order_date"], name="order_customer_date_idx"),
            models.Index(fields=["is_upsell"], name="order_is_upsell_idx", condition=Q(is_upsell=True)),
        ]

    def __str__(self):
        return self.name

    @property
    def is_invoiceable(self) -> bool:
        """Confirmed with something left to bill (or room for a down payment): a fully invoiced
        order, or one whose lines are invoiced or over-delivered prepaid blocks (upselling),
        offers no invoice. The invoicing service refuses the same orders."""
        return self.state in (self.State.SALE, self.State.DONE) and self.invoice_status not in (
            self.InvoiceStatus.INVOICED,
            self.InvoiceStatus.UPSELLING,
        )


class OrderLine(models.Model):
    class InvoiceStatus(models.TextChoices):
        NO = "no", "Nothing to invoice"
        TO_INVOICE = "to_invoice", "To invoice"
        INVOICED = "invoiced", "Fully invoiced"
        UPSELLING = "upselling", "Upselling opportunity"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(default=10)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=500, blank=True)
    quantity = qty_field(default=Decimal("1.00"))
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+")
    price_unit = money_field()
    discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    tax = models.ForeignKey(Tax, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Snapshot of the product's invoicing policy, so later product edits don't rewrite history.
    invoice_policy = models.CharField(
        max_length=10, choices=Product.InvoicePolicy.choices, default=Product.InvoicePolicy.PREPAID
    )
    is_downpayment = models.BooleanField(default=False)
    qty_delivered = exact_qty_field()
    qty_invoiced = exact_qty_field()
    qty_to_invoice = exact_qty_field()
    invoice_status = models.CharField(max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.NO)
    price_subtotal = money_field()
    price_tax = money_field()
    price_total = money_field()
    upsell_flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order_id", "sequence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) | Q(is_downpayment=True), name="order_line_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(qty_delivered__gte=0), name="order_line_delivered_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=100), name="order_line_discount_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["invoice_policy", "invoice_status"], name="order_line_policy_status_idx"),
        ]

    def __str__(self):
        return f"{self.order.name} – {self.description or self.product}"

    @property
    def remaining_hours(self) -> Decimal | None:
        """Ordered − logged, in hours, for prepaid lines in a time unit (negative when
        over-consumed), shown rounded; None otherwise. The formula is
        `sales.selectors.remaining_hours_expression`; querysets annotated by
        `sales.selectors.order_lines_with_remaining_hours` carry it without a query."""
        from .selectors import order_line_remaining_hours

        return order_line_remaining_hours(line=self)

    @remaining_hours.setter
    def remaining_hours(self, value) -> None:
        # Set by queryset annotations of the same name.
        self.__dict__["_remaining_hours"] = value
