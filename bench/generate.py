"""Deterministic bulk data for the scale benchmark, built with set-based SQL.

Every row comes from `INSERT ... SELECT ... FROM generate_series(...)` with explicit ids and
values derived from the series number (no randomness), so two runs build the same database.
The shape follows `Scale`: about one customer per 500 timesheet lines, one order per 50 (five
lines each: three prepaid blocks, two on timesheets), one ticket per 100, ten teams of four
agents, a posted invoice on every other order, and hot spots:

- ticket 1: `hot_ticket` timesheet lines (1 000 at 1 M), all on order line 1 (its own order);
- ticket 2: 10 lines on order line 6;
- orders 3 .. 2 + `invoice_orders`: `invoice_lines` (10 000 at 1 M) uninvoiced timesheet lines
  on their timesheet-policy line, to invoice, post and print.

`build(cursor, scale)` fills an empty, migrated database and returns the manifest (ids, logins)
the load client needs.
"""

from __future__ import annotations

import dataclasses
import datetime

from reports.summaries import rebuild_summaries

DAYS_OF_HISTORY = 3 * 365
AGENTS_PER_TEAM = 4
TEAMS = 10
LINES_PER_ORDER = 5
PASSWORD = "bench-pass-1234"


@dataclasses.dataclass(frozen=True)
class Scale:
    timesheets: int
    invoice_orders: int = 3

    @property
    def customers(self) -> int:
        return max(20, self.timesheets // 500)

    @property
    def orders(self) -> int:
        return max(100, self.timesheets // 50)

    @property
    def tickets(self) -> int:
        return max(100, self.timesheets // 100)

    @property
    def hot_ticket(self) -> int:
        return min(1000, self.timesheets // 20)

    @property
    def invoice_lines(self) -> int:
        return min(10_000, self.timesheets // 100)

    @property
    def first_plain_order(self) -> int:
        return 3 + self.invoice_orders

    @property
    def rest(self) -> int:
        return self.timesheets - self.hot_ticket - 10 - self.invoice_orders * self.invoice_lines


def _users(cur, password_hash: str) -> dict:
    """1 superuser, 40 agents, 5 sales, 2 accountants; ids fixed; every one with a token."""
    cur.execute(
        """
        INSERT INTO core_user (id, password, is_superuser, username, first_name, last_name, email,
                               is_staff, is_active, date_joined)
        SELECT g, %(pw)s, g = 1,
               CASE WHEN g = 1 THEN 'bench-admin'
                    WHEN g <= 41 THEN 'bench-agent-' || (g - 1)
                    WHEN g <= 46 THEN 'bench-sales-' || (g - 41)
                    ELSE 'bench-accountant-' || (g - 46) END,
               'Person', 'N' || g, 'bench' || g || '@example.com', g = 1, TRUE, now()
        FROM generate_series(1, 48) g
        """,
        {"pw": password_hash},
    )
    cur.execute(
        """
        INSERT INTO core_user_groups (user_id, group_id)
        SELECT u.id, gr.id FROM core_user u JOIN auth_group gr ON gr.name = CASE
            WHEN u.id = 1 THEN 'admin' WHEN u.id <= 41 THEN 'agent'
            WHEN u.id <= 46 THEN 'sales' ELSE 'accountant' END
        """
    )
    cur.execute(
        "INSERT INTO authtoken_token (key, created, user_id) "
        "SELECT md5('bench-token-' || id), now(), id FROM core_user"
    )
    cur.execute("SELECT username, key FROM authtoken_token JOIN core_user u ON u.id = user_id")
    return dict(cur.fetchall())


def _sales(cur, s: Scale) -> None:
    """Customers, products, projects, then the orders and their lines."""
    cur.execute(
        """
        INSERT INTO sales_customer (id, created_at, updated_at, name, email, phone, vat, street, city,
                                    zip, country, payment_term_days)
        SELECT g, now(), now(), 'Customer ' || lpad(g::text, 5, '0'), 'ap' || g || '@example.com', '',
               '', g || ' Main Street', 'Brussels', '1000', 'BE', 30
        FROM generate_series(1, %(n)s) g
        """,
        {"n": s.customers},
    )
    cur.execute(
        """
        INSERT INTO sales_product (id, created_at, updated_at, name, default_code, description, type,
            invoice_policy, price, service_tracking, upsell_threshold, qty_on_hand, active, uom_id)
        VALUES (1, now(), now(), 'Prepaid support (80 %%)', '', '', 'service', 'prepaid', 90, 'none',
                80, 0, TRUE, %(hours)s),
               (2, now(), now(), 'Prepaid support (90 %%)', '', '', 'service', 'prepaid', 90, 'none',
                90, 0, TRUE, %(hours)s),
               (3, now(), now(), 'Support on timesheets', '', '', 'service', 'timesheet', 95, 'none',
                NULL, 0, TRUE, %(hours)s)
        """,
        {"hours": _hours_uom(cur)},
    )
    # Projects 1..C are the customers', C+1..C+10 the teams'.
    cur.execute(
        """
        INSERT INTO projects_project (id, created_at, updated_at, name, billable, active, customer_id)
        SELECT g, now(), now(), CASE WHEN g <= %(c)s THEN 'Project of customer ' || g
                                     ELSE 'Support team ' || (g - %(c)s) END,
               TRUE, TRUE, CASE WHEN g <= %(c)s THEN g END
        FROM generate_series(1, %(c)s + %(teams)s) g
        """,
        {"c": s.customers, "teams": TEAMS},
    )
    _orders(cur, s)


def _orders(cur, s: Scale) -> None:
    """Orders and their lines (not yet recomputed)."""
    # Order o: customer 1 + o %% C; 1 in 10 draft, 1 in 10 done, the rest confirmed. The hot
    # orders (1 .. first_plain_order - 1) are confirmed.
    cur.execute(
        """
        INSERT INTO sales_order (id, created_at, updated_at, name, state, order_date, confirmed_at,
            client_reference, note, invoice_status, amount_untaxed, amount_tax, amount_total,
            is_upsell, upsell_reason, customer_id, salesperson_id)
        SELECT g, now(), now(), 'SOB' || lpad(g::text, 7, '0'), st.state,
               current_date - (g * 7 %% %(days)s), CASE WHEN st.state <> 'draft' THEN now() END,
               '', '', 'no', 0, 0, 0, FALSE, '', 1 + g %% %(c)s, 42 + g %% 5
        FROM generate_series(1, %(n)s) g,
             LATERAL (SELECT CASE WHEN g >= %(plain)s AND g %% 10 = 0 THEN 'draft'
                                  WHEN g >= %(plain)s AND g %% 10 = 1 THEN 'done'
                                  ELSE 'sale' END AS state) st
        """,
        {"n": s.orders, "c": s.customers, "days": DAYS_OF_HISTORY, "plain": s.first_plain_order},
    )
    # Line id = (order - 1) * 5 + j + 1: j 0..2 prepaid blocks, j 3..4 on timesheets.
    cur.execute(
        """
        INSERT INTO sales_orderline (id, sequence, description, quantity, price_unit, discount,
            invoice_policy, is_downpayment, qty_delivered, qty_invoiced, qty_to_invoice, invoice_status,
            price_subtotal, price_tax, price_total, order_id, product_id, uom_id)
        SELECT (o - 1) * 5 + j + 1, 10 * (j + 1), p.name, q.qty, p.price, 0, p.invoice_policy, FALSE,
               0, 0, 0, 'no', q.qty * p.price, 0, q.qty * p.price, o, p.id, %(hours)s
        FROM generate_series(1, %(n)s) o
        CROSS JOIN generate_series(0, 4) j
        JOIN sales_product p ON p.id = CASE WHEN j < 3 THEN 1 + (o + j) %% 2 ELSE 3 END
        CROSS JOIN LATERAL (SELECT CASE WHEN o = 1 THEN 5000
                                        WHEN j < 3 THEN (ARRAY[10, 20, 50, 100, 200])[1 + (o + j) %% 5]
                                        ELSE 0 END::numeric AS qty) q
        """,
        {"n": s.orders, "hours": _hours_uom(cur)},
    )


def _hours_uom(cur) -> int:
    cur.execute("SELECT id FROM sales_uom WHERE name = 'Hours'")
    return cur.fetchone()[0]


def _helpdesk(cur, s: Scale) -> None:
    """Ten teams of four agents, tickets spread over customers' confirmed orders."""
    cur.execute(
        """
        INSERT INTO helpdesk_team (id, created_at, updated_at, name, use_timesheets, use_billing, project_id)
        SELECT g, now(), now(), 'Support team ' || g, TRUE, TRUE, %(c)s + g FROM generate_series(1, %(t)s) g
        """,
        {"c": s.customers, "t": TEAMS},
    )
    cur.execute(
        "INSERT INTO helpdesk_team_stages (team_id, stage_id) SELECT t.id, st.id "
        "FROM helpdesk_team t CROSS JOIN helpdesk_stage st"
    )
    cur.execute(
        "INSERT INTO helpdesk_team_members (team_id, user_id) "
        "SELECT 1 + (u - 2) / %(per)s, u FROM generate_series(2, 41) u",
        {"per": AGENTS_PER_TEAM},
    )
    # Ticket 1 bills order line 1 (order 1), ticket 2 order line 6 (order 2); ticket t >= 3 an
    # order o of the plain ones and one of its five lines (none when the order is a draft).
    cur.execute(
        """
        INSERT INTO helpdesk_ticket (id, created_at, updated_at, title, description, priority,
            closed_at, assignee_id, customer_id, sale_line_id, stage_id, team_id)
        SELECT g, now() - make_interval(days => g %% 700), now(), 'Ticket ' || g || ': printer offline',
               'Steps to reproduce ...', g %% 3, NULL, 2 + (tm - 1) * %(per)s + g %% %(per)s,
               o.customer_id,
               CASE WHEN g = 1 THEN 1 WHEN g = 2 THEN 6
                    WHEN o.state <> 'draft' THEN (o.id - 1) * 5 + 1 + g %% 5 END,
               st.id, tm
        FROM generate_series(1, %(n)s) g
        CROSS JOIN LATERAL (SELECT 1 + g %% %(teams)s AS tm) team
        JOIN sales_order o ON o.id = CASE WHEN g <= 2 THEN g
                                          ELSE %(plain)s + (g * 31) %% (%(orders)s - %(plain)s + 1) END
        JOIN helpdesk_stage st ON st.sequence = (ARRAY[10, 20, 30, 30, 40])[1 + g %% 5]
        """,
        {
            "n": s.tickets,
            "teams": TEAMS,
            "per": AGENTS_PER_TEAM,
            "plain": s.first_plain_order,
            "orders": s.orders,
        },
    )


_TIMESHEET_COLUMNS = (
    "INSERT INTO timesheets_timesheetline (id, created_at, updated_at, date, description, hours, "
    "employee_id, project_id, sale_line_id, ticket_id, task_id, invoice_id) "
)
# Deterministic hours: 0.25 .. 4 h.
_HOURS = "(ARRAY[0.25, 0.5, 1, 1.5, 2, 4])[1 + g %% 6]"


def _timesheets(cur, s: Scale) -> None:
    """The hot ticket lines, the invoice orders' lines, then the rest spread over tickets."""
    next_id = 1
    for ticket, count, sale_line in ((1, s.hot_ticket, 1), (2, 10, 6)):
        cur.execute(
            _TIMESHEET_COLUMNS
            + f"""
            SELECT %(base)s + g, now(), now(), current_date - (g %% 365), 'Hot ticket work ' || g,
                   {_HOURS}, 2 + (t.id - 1) * {AGENTS_PER_TEAM} + g %% {AGENTS_PER_TEAM}, t.project_id,
                   %(line)s, %(ticket)s, NULL, NULL
            FROM generate_series(1, %(n)s) g
            JOIN helpdesk_ticket tk ON tk.id = %(ticket)s JOIN helpdesk_team t ON t.id = tk.team_id
            """,
            {"base": next_id - 1, "n": count, "line": sale_line, "ticket": ticket},
        )
        next_id += count
    for order in range(3, s.first_plain_order):
        cur.execute(
            _TIMESHEET_COLUMNS
            + f"""
            SELECT %(base)s + g, now(), now(), current_date - (g %% 700), 'Maintenance visit ' || g,
                   {_HOURS}, 2 + g %% 40, o.customer_id, (o.id - 1) * 5 + 4, NULL, NULL, NULL
            FROM generate_series(1, %(n)s) g JOIN sales_order o ON o.id = %(order)s
            """,
            {"base": next_id - 1, "n": s.invoice_lines, "order": order},
        )
        next_id += s.invoice_lines
    # The rest: ticket 3 + (g * 7919) mod (T - 2), on the ticket's order line and team project,
    # logged by one of the team's agents over three years.
    cur.execute(
        _TIMESHEET_COLUMNS
        + f"""
        SELECT %(base)s + g, now(), now(), current_date - ((g * 13) %% {DAYS_OF_HISTORY}),
               'Worked on ticket ' || tk.id, {_HOURS},
               2 + (tk.team_id - 1) * {AGENTS_PER_TEAM} + g %% {AGENTS_PER_TEAM},
               t.project_id, tk.sale_line_id, tk.id, NULL, NULL
        FROM generate_series(1, %(n)s) g
        JOIN helpdesk_ticket tk ON tk.id = 3 + (g::bigint * 7919) %% (%(tickets)s - 2)
        JOIN helpdesk_team t ON t.id = tk.team_id
        """,
        {"base": next_id - 1, "n": s.rest, "tickets": s.tickets},
    )


def _invoices(cur, s: Scale) -> None:
    """A posted 2025 invoice (two prepaid blocks) on every other plain confirmed order."""
    cur.execute(
        """
        INSERT INTO invoicing_invoice (id, created_at, updated_at, number, kind, state, payment_state,
            invoice_date, due_date, payment_reference, amount_untaxed, amount_tax, amount_total,
            amount_paid, posted_at, pdf, pdf_sha256, customer_id, order_id)
        SELECT row_number() OVER (ORDER BY o.id), now(), now(),
               'INV/2025/' || lpad((row_number() OVER (ORDER BY o.id))::text, 5, '0'), 'invoice', 'posted',
               CASE WHEN o.id %% 3 = 0 THEN 'paid' ELSE 'not_paid' END,
               DATE '2025-01-01' + (o.id %% 360)::int, DATE '2025-01-31' + (o.id %% 360)::int, '',
               a.total, 0, a.total, CASE WHEN o.id %% 3 = 0 THEN a.total ELSE 0 END, now(), '', '',
               o.customer_id, o.id
        FROM sales_order o
        CROSS JOIN LATERAL (SELECT SUM(l.price_subtotal) AS total FROM sales_orderline l
                            WHERE l.order_id = o.id AND l.id <= (o.id - 1) * 5 + 2) a
        WHERE o.id >= %(plain)s AND o.id %% 2 = 0 AND o.state <> 'draft'
        """,
        {"plain": s.first_plain_order},
    )
    cur.execute(
        """
        INSERT INTO invoicing_invoiceline (sequence, display_type, description, quantity, price_unit,
            discount, tax_rate, subtotal, tax_amount, total, is_downpayment, invoice_id, product_id,
            sale_line_id, uom_id)
        SELECT 10 * j, 'product', l.description, l.quantity, l.price_unit, 0, 0, l.price_subtotal, 0,
               l.price_subtotal, FALSE, i.id, l.product_id, l.id, l.uom_id
        FROM invoicing_invoice i CROSS JOIN generate_series(1, 2) j
        JOIN sales_orderline l ON l.id = (i.order_id - 1) * 5 + j
        """
    )
    cur.execute(
        "INSERT INTO core_sequence (code, year, prefix, padding, next_number) "
        "SELECT 'INV', 2025, 'INV/2025/', 5, COUNT(*) + 1 FROM invoicing_invoice"
    )


def _reset_identities(cur) -> None:
    for table in (
        "core_user",
        "sales_customer",
        "sales_product",
        "projects_project",
        "sales_order",
        "sales_orderline",
        "helpdesk_team",
        "helpdesk_ticket",
        "timesheets_timesheetline",
        "invoicing_invoice",
    ):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def build(cur, scale: Scale, *, password_hash: str, recompute) -> dict:
    """Fill an empty migrated database; `recompute()` derives the order figures."""
    # Foreign keys are right by construction: skip their per-row triggers during the load
    # (a superuser setting, as on the benchmark's throwaway server). Indexes stay maintained.
    cur.execute("SET session_replication_role = replica")
    tokens = _users(cur, password_hash)
    _sales(cur, scale)
    _helpdesk(cur, scale)
    _timesheets(cur, scale)
    _invoices(cur, scale)
    _reset_identities(cur)
    cur.execute("SET session_replication_role = DEFAULT")
    rebuild_summaries(cur)  # the load skipped the triggers that keep them
    recompute()
    cur.execute(
        "SELECT u.username FROM helpdesk_ticket tk JOIN helpdesk_team_members m ON m.team_id = tk.team_id "
        "JOIN core_user u ON u.id = m.user_id WHERE tk.id = 1 ORDER BY u.id LIMIT 1"
    )
    hot_agent = cur.fetchone()[0]
    return {
        "hot_agent": hot_agent,
        "tokens": tokens,
        "password": PASSWORD,
        "hot_ticket": 1,
        "hot_ticket_lines": scale.hot_ticket,
        "small_ticket": 2,
        "hot_sale_line": 1,
        "invoice_orders": list(range(3, scale.first_plain_order)),
        "invoice_lines": scale.invoice_lines,
        "plain_order": scale.first_plain_order + 1,
        "today": datetime.date.today().isoformat(),
    }
