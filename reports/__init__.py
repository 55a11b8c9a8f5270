"""Reports: read-only figures (hours, unbilled work, revenue, receivables, burn-downs), on
screen and as CSV.

A feature room: may import every domain app and contracts; nothing imports it but demo.
"""
