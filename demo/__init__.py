"""The demo company (`manage.py seed_demo`, run by `make run`): users of every role, customers,
orders, tickets, timesheets and invoices created through the services, like a user would.

Owns no model. The top room: it may import every app; no app imports it.
"""
