"""Sales: units and taxes, customers, products, quotations and orders with their lines, and the
quantities derived on each line (delivered, invoiced, to invoice, statuses, remaining hours; the
orders' upsell flags). Announces `order_confirmed` and `order_locked` (sales.signals) to the rooms
above.

May import core and audit only. The rows it sums but does not own (hours logged, quantities
invoiced) reach it through `sales.quantity_sources`, filled by timesheets and invoicing in their
AppConfig.ready(). Its pages show what the rooms above add through core.panels (an order's
invoices, tickets, tasks and time lines; a customer's invoices and tickets) and link to their
pages through core.links. Everything else builds on it.
"""
