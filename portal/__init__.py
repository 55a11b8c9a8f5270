"""The customer portal: a customer's home, tickets and conversation, hours left, invoices;
portal users managed by staff.

A feature room: may import every domain app; nothing imports it but demo. The rooms below
reach its pages through core.links ("portal.home", "portal.ticket", "customer.portal_users").
"""
