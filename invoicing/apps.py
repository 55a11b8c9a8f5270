from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from . import receivers, signals

        signals.invoice_posted.connect(
            receivers.store_pdf_on_post, dispatch_uid="invoicing.store_pdf_on_post"
        )
