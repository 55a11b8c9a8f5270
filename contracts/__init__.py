"""Contracts: recurring blocks of hours sold per period, rollover, overage billed on a new
order, renewal job and command, the customer's contract pages.

A feature room: may import core, audit, sales, projects, timesheets, invoicing and upsell (a
follow-up activity on overage); only reports and demo import it.
"""
