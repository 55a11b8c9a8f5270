"""Sales: units and taxes, customers, products, quotations and orders with their lines, and the
quantities derived on each line (delivered, invoiced, to invoice, statuses; the orders' upsell
flags). Announces `order_confirmed` and `order_locked` (sales.signals) to the rooms above.

May import core only. Everything else builds on it.
"""
