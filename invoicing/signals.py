"""Events the invoicing app announces."""

from django.dispatch import Signal

# Sent inside the posting transaction, after number and state are set. kwargs: invoice, user.
# Receivers that leave the database (PDF files, e-mail) must defer with transaction.on_commit.
invoice_posted = Signal()
