"""The audit trail: one append-only event per billing action (who, when, which object, what
changed before → after), written only by `audit.services.record` from the apps' services inside
their transaction; the History card (`audit.selectors`, `templates/audit/history_card.html`) and
the read-only admin. Imports only Django and `core`; every app may record into it."""
