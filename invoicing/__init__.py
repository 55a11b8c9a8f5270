"""Invoicing: invoices and their lines, credit notes, payments, PDF + Factur-X, Peppol
e-invoices, e-mail, and batch invoicing of done tasks (the "To invoice" list).

May import core, sales, projects and timesheets. Independent of helpdesk.
"""
