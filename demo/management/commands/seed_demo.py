"""`python manage.py seed_demo`: a small, coherent demo company to click through.

Idempotent: every piece is looked up by a natural key (username, name, the order's client
reference) and only created when missing, all in one transaction; a second run writes nothing
and takes a few queries. Everything goes through the services, like a user would.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.models import User
from helpdesk import services as helpdesk_services
from helpdesk.models import Stage, Team, Ticket
from invoicing import services as invoicing_services
from invoicing.models import Invoice
from projects.stock_services import stock_receive
from sales import services as sales_services
from sales.models import Customer, Order, Product, Tax, Uom
from timesheets import services as timesheet_services
from upsell.sweep import upsell_sweep

PASSWORD = "demo1234"

# username, first name, last name, role, what they do (printed in the login table)
USERS = [
    ("agent", "Alice", "Agent", "agent", "works tickets, logs hours, runs timers"),
    ("sales", "Sam", "Sales", "sales", "customers, orders, upsell list, draft invoices"),
    ("accountant", "Ada", "Accountant", "accountant", "posts invoices, payments, credit notes"),
    ("admin", "Adam", "Admin", "admin", "Django admin: teams, products, units, taxes, users"),
    ("customer", "Carla", "Customer", "customer", "portal of Globex: tickets, hours left, invoices"),
]

CUSTOMERS = [
    {
        "name": "Globex Corporation",
        "email": "billing@globex.example",
        "vat": "BE0412345614",
        "street": "12 Avenue Louise",
        "zip": "1050",
        "city": "Brussels",
        "country": "BE",
        # A Belgian business: its invoices go over Peppol (README "Peppol e-invoices").
        "delivery_channel": "peppol",
        "peppol_id": "0208:0412345614",
    },
    {
        "name": "Initech",
        "email": "accounts@initech.example",
        "vat": "NL123456789B01",
        "street": "4 Keizersgracht",
        "zip": "1015 CJ",
        "city": "Amsterdam",
        "country": "NL",
    },
    {
        "name": "Umbrella Services",
        "email": "finance@umbrella.example",
        "vat": "FR40123456789",
        "street": "8 Rue de la Paix",
        "zip": "75002",
        "city": "Paris",
        "country": "FR",
    },
]
PORTAL_CUSTOMER = "Globex Corporation"

VAT = ("VAT 21%", Decimal("21.000"))
SUPPORT_50 = "Support 50 h"
CONSULTING_DAY = "Consulting day"
SWITCH = "Network switch (8 ports)"
# The prepaid block is sold as 50 × Hours at an hourly price (the line reads "50.00 Hours ×
# 90.00"), not as 50 hours at the price of the whole block.
SUPPORT_HOURLY_PRICE = Decimal("90.00")
SUPPORT_BLOCK_HOURS = Decimal("50")
SERVICE_ON_TIMESHEETS_PRICE = Decimal("100.00")
TEAM = "Customer Care"

PREPAID_REF = "DEMO-PREPAID-50H"
POSTPAID_REF = "DEMO-POSTPAID"

# (customer, title, stage, [(days ago, hours, description)])
TICKETS = [
    (
        "Globex Corporation",
        "VPN drops every hour",
        "In progress",
        [
            (18, "2.50", "Reproduced the disconnects, collected client logs"),
            (17, "3.75", "Firewall session timeout analysis"),
            (12, "4.00", "Changed keep-alive settings, monitored overnight"),
            (5, "6.00", "Rolled out the fix to all branch offices"),
        ],
    ),
    (
        "Globex Corporation",
        "New office: printers and Wi-Fi",
        "Solved",
        [
            (15, "8.00", "On-site installation of printers and access points"),
            (14, "7.50", "Wi-Fi survey and channel planning"),
            (9, "6.25", "User onboarding and drivers"),
        ],
    ),
    (
        "Globex Corporation",
        "Mailbox quota for the sales team",
        "New",
        [(2, "3.00", "Archiving policy proposal")],
    ),
    (
        "Initech",
        "TPS report server is slow",
        "In progress",
        [
            (6, "1.50", "Database index review"),
            (4, "2.25", "Query tuning, tested with the finance team"),
        ],
    ),
]


class Command(BaseCommand):
    help = "Create the demo company (users per role, customers, products, team, orders, tickets). Idempotent."

    def handle(self, *args, **options):
        self.created = []
        with transaction.atomic():
            users = self.seed_users()
            customers = self.seed_customers(portal_user=users["customer"])
            products = self.seed_products()
            self.seed_stock(product=products[SWITCH], admin=users["admin"])
            team = self.seed_team(admin=users["admin"], agent=users["agent"])
            prepaid, postpaid = self.seed_orders(users=users, customers=customers, products=products)
            self.seed_tickets(users=users, customers=customers, team=team, postpaid=postpaid)
            self.seed_invoice(order=prepaid, users=users)
            if self.created:
                # The demo's prepaid block is past its 80 % threshold: flag it now rather than
                # at the next Celery beat sweep, so the upsell list has something to show.
                swept = upsell_sweep()
                if swept.flagged:
                    self.created.append(
                        f"{swept.flagged} upsell opportunit{'y' if swept.flagged == 1 else 'ies'}"
                    )
        if self.created:
            self.stdout.write(self.style.SUCCESS("Demo data created: " + ", ".join(self.created) + "."))
        else:
            self.stdout.write("Demo data already in place: nothing changed.")
        self.print_logins()

    # --- pieces ------------------------------------------------------------------------------
    def seed_users(self) -> dict[str, User]:
        users = {}
        groups = {g.name: g for g in Group.objects.filter(name__in=[u[3] for u in USERS])}
        existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS])}
        for username, first, last, role, _does in USERS:
            user = existing.get(username)
            if user is None:
                user = User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.com",
                    is_staff=role == "admin",
                )
                user.set_password(PASSWORD)
                user.save()
                user.groups.add(groups[role])
                self.created.append(f"user {username}")
            users[username] = user
        return users

    def seed_customers(self, *, portal_user: User) -> dict[str, Customer]:
        existing = {c.name: c for c in Customer.objects.filter(name__in=[c["name"] for c in CUSTOMERS])}
        for values in CUSTOMERS:
            if values["name"] not in existing:
                existing[values["name"]] = Customer.objects.create(**values)
                self.created.append(f"customer {values['name']}")
        portal = existing[PORTAL_CUSTOMER]
        if not portal.portal_users.filter(pk=portal_user.pk).exists():
            portal.portal_users.add(portal_user)
        return existing

    def seed_products(self) -> dict[str, Product]:
        tax, created = Tax.objects.get_or_create(name=VAT[0], defaults={"rate": VAT[1]})
        if created:
            self.created.append(f"tax {tax.name}")
        hours, days, units = (Uom.objects.get(name=n) for n in ("Hours", "Days", "Units"))
        wanted = [
            {
                "name": SUPPORT_50,
                "type": Product.Type.SERVICE,
                "invoice_policy": Product.InvoicePolicy.PREPAID,
                "uom": hours,
                "price": SUPPORT_HOURLY_PRICE,
                "tax": tax,
                "upsell_threshold": Decimal("80"),
                "description": "Prepaid support by the hour (blocks of 50 h), used by tickets and tasks.",
            },
            {
                "name": CONSULTING_DAY,
                "type": Product.Type.SERVICE,
                "invoice_policy": Product.InvoicePolicy.TIMESHEET,
                "uom": days,
                "price": Decimal("760.00"),
                "tax": tax,
                "description": "Consulting billed per day on timesheets (8 hours a day).",
            },
            {
                "name": SWITCH,
                "type": Product.Type.GOODS,
                "invoice_policy": Product.InvoicePolicy.DELIVERED,
                "uom": units,
                "price": Decimal("149.00"),
                "tax": tax,
            },
        ]
        products = {p.name: p for p in Product.objects.filter(name__in=[w["name"] for w in wanted])}
        for values in wanted:
            if values["name"] not in products:
                products[values["name"]] = Product.objects.create(**values)
                self.created.append(f"product {values['name']}")
        service = sales_services.product_ensure_service_on_timesheets()
        # The product starts at 0.00; price it once (an admin's later price is kept).
        if not service.tax_id and service.price == 0:
            Product.objects.filter(pk=service.pk).update(price=SERVICE_ON_TIMESHEETS_PRICE, tax=tax)
            service.refresh_from_db()
            self.created.append("price of Service on Timesheets")
        products[service.name] = service
        return products

    def seed_stock(self, *, product: Product, admin: User) -> None:
        """The switches came in with a supplier's delivery: a receipt, like a user would enter."""
        if product.stock_moves.exists():
            return
        stock_receive(
            product=product,
            quantity=Decimal("25"),
            date=timezone.localdate() - datetime.timedelta(days=30),
            reference="DEMO-DELIVERY-001",
            note="Initial delivery from the supplier",
            user=admin,
        )
        self.created.append(f"receipt of 25 {product.name}")

    def seed_team(self, *, admin: User, agent: User) -> Team:
        team = Team.objects.select_related("project").filter(name=TEAM).first()
        if team is None:
            # team_save creates the team's project (projects.services.project_create) and the
            # default stages, and ensures the "Service on Timesheets" product.
            team = helpdesk_services.team_save(
                team=Team(name=TEAM, use_timesheets=True, use_billing=True, portal=True),
                user=admin,
                members=[agent],
            )
            self.created.append(f"team {TEAM}")
        return team

    def seed_orders(self, *, users, customers, products) -> tuple[Order, Order]:
        orders = {
            o.client_reference: o
            for o in Order.objects.filter(client_reference__in=[PREPAID_REF, POSTPAID_REF])
        }
        today = timezone.localdate()
        specs = [
            (
                PREPAID_REF,
                "Globex Corporation",
                21,
                [{"product": products[SUPPORT_50], "quantity": SUPPORT_BLOCK_HOURS}],
            ),
            (
                POSTPAID_REF,
                "Initech",
                8,
                [
                    {
                        "product": products[sales_services.SERVICE_ON_TIMESHEETS],
                        # The ordered 20 h are the estimate (the warning threshold when logging);
                        # the description is printed on the customer's invoice, so it says none.
                        "quantity": Decimal("20"),
                        "description": "Support on timesheets",
                    }
                ],
            ),
        ]
        for reference, customer, days_ago, lines in specs:
            if reference in orders:
                continue
            order = sales_services.order_create(
                customer=customers[customer],
                user=users["sales"],
                salesperson=users["sales"],
                order_date=today - datetime.timedelta(days=days_ago),
                client_reference=reference,
                lines=lines,
            )
            sales_services.order_confirm(order=order, user=users["sales"])
            orders[reference] = order
            self.created.append(f"order {order.name}")
        return orders[PREPAID_REF], orders[POSTPAID_REF]

    def seed_tickets(self, *, users, customers, team: Team, postpaid: Order) -> None:
        existing = set(Ticket.objects.filter(team=team).values_list("customer__name", "title"))
        stages = {s.name: s for s in Stage.objects.all()}
        today = timezone.localdate()
        postpaid_line = postpaid.lines.order_by("sequence", "id").first()
        for customer, title, stage, lines in TICKETS:
            if (customer, title) in existing:
                continue
            agent = users["agent"]
            extra = {"sale_line": postpaid_line} if customer == postpaid.customer.name else {}
            ticket = helpdesk_services.ticket_create(
                user=agent, team=team, title=title, customer=customers[customer], assignee=agent, **extra
            )
            for days_ago, hours, description in lines:
                timesheet_services.timesheet_log(
                    employee=agent,
                    user=agent,
                    date=today - datetime.timedelta(days=days_ago),
                    hours=Decimal(hours),
                    description=description,
                    ticket=ticket,
                )
            if ticket.stage.name != stage:
                helpdesk_services.ticket_set_stage(ticket=ticket, stage=stages[stage], user=agent)
            self.created.append(f"ticket {title!r}")

    def seed_invoice(self, *, order: Order, users) -> None:
        """The prepaid block is invoiced when sold: one posted invoice the customer can download."""
        if Invoice.objects.filter(order=order).exists():
            return
        invoice = invoicing_services.invoice_create_from_order(order=order, user=users["sales"])
        invoicing_services.invoice_post(invoice=invoice, user=users["accountant"])
        self.created.append(f"invoice {invoice.number}")

    # --- output ------------------------------------------------------------------------------
    def print_logins(self) -> None:
        rows = [("username", "password", "role", "what to try")]
        rows += [(username, PASSWORD, role, does) for username, _f, _l, role, does in USERS]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        rule = "+-" + "-+-".join("-" * w for w in widths) + "-+"
        out = [
            "",
            f"Demo logins for {settings.COMPANY['name']} (currency {settings.CURRENCY}):",
            rule,
        ]
        for i, row in enumerate(rows):
            out.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
            if i == 0:
                out.append(rule)
        out += [rule, "Portal: http://127.0.0.1:8000/   Admin: /admin/   API docs: /api/v1/docs/", ""]
        self.stdout.write("\n".join(out))
