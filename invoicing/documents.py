"""Invoice documents (PDF with embedded Factur-X). CONTRACT: other apps code against these."""

from .models import Invoice


def invoice_pdf_bytes(*, invoice: Invoice) -> bytes:
    """The PDF of an invoice: for a posted invoice the stored bytes (rendered once at posting,
    SHA-256 kept); for a draft a watermarked preview rendered on demand."""
    raise NotImplementedError


def invoice_pdf_filename(*, invoice: Invoice) -> str:
    """A file name for downloads, e.g. "INV-2026-00001.pdf"."""
    raise NotImplementedError
