"""Invoicing: invoices and their lines, credit notes, payments, PDF + Factur-X, Peppol
e-invoices, e-mail, and batch invoicing of done tasks (the "To invoice" list).

Writes in `services/` (create, drafts, posting, credit_notes, payments), reads in `selectors/`
(the invoice plan, creditable lines, the `invoice` visibility scope registered in `rules`);
`states` holds the transition map and the row locks the services share. Other apps import
`invoicing.services` and `invoicing.selectors`, never their modules.

May import core, audit, sales, projects and timesheets. Independent of helpdesk. Adds the
invoices of the order and customer pages (core.panels, `page_parts`) and the "invoice",
"order.invoice_create" and "tasks.to_invoice" links (core.links).
"""
