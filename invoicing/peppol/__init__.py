"""Peppol BIS Billing 3.0 e-invoicing: UBL documents, pre-send checks, senders, delivery status.

- `ubl`: the UBL Invoice / CreditNote of a posted invoice, built with lxml from stored figures.
- `checks`: what the official rules need that our data may lack, in plain words per field.
- `documents`: the stored document (once, with its SHA-256), written at posting.
- `senders` + `delivery`: hand documents to an access point (HTTP provider or folder drop).
"""
