from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from core.home import register_home_figures
        from core.links import register_link
        from core.navigation import register_nav_item
        from core.panels import register_context
        from sales.quantity_sources import INVOICED_QUANTITY, register_quantity_source

        from . import home, receivers, signals
        from .page_parts import customer_invoices, order_invoices
        from .sale_quantities import order_line_invoiced_quantity

        # Sales (below us) derives invoiced and to-invoice quantities from the lines billed here.
        register_quantity_source(INVOICED_QUANTITY, order_line_invoiced_quantity)
        register_home_figures("accountant", home.accountant_figures)
        # The order and customer pages (sales, below us) list their invoices; pages below link here.
        register_context("sales:order_detail", order_invoices)
        register_context("sales:customer_detail", customer_invoices)
        register_link("invoice", "invoicing:invoice_detail")
        register_link("order.invoice_create", "invoicing:order_invoice_create")
        register_link("tasks.to_invoice", "projects:to_invoice")

        register_nav_item(
            "To invoice", "projects:to_invoice", ("sales", "accountant"), action="invoice.create", position=80
        )
        register_nav_item(
            "Invoices", "invoicing:invoice_list", ("sales", "accountant"), action="invoice.view", position=90
        )

        # Refuse bad Peppol data inside the posting transaction; the PDF and the UBL embedding it
        # are made after the commit (receivers.render_documents_after_post).
        signals.invoice_posted.connect(
            receivers.check_peppol_on_post, dispatch_uid="invoicing.check_peppol_on_post"
        )
        signals.invoice_posted.connect(
            receivers.render_documents_after_post, dispatch_uid="invoicing.render_documents_after_post"
        )
