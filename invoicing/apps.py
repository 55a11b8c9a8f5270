from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from . import receivers, signals

        # In this order: refuse bad Peppol data, then store the PDF, then the UBL embedding it.
        signals.invoice_posted.connect(
            receivers.check_peppol_on_post, dispatch_uid="invoicing.check_peppol_on_post"
        )
        signals.invoice_posted.connect(
            receivers.store_pdf_on_post, dispatch_uid="invoicing.store_pdf_on_post"
        )
        signals.invoice_posted.connect(
            receivers.store_ubl_on_post, dispatch_uid="invoicing.store_ubl_on_post"
        )
