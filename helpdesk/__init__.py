"""Helpdesk: teams, stages, tickets and the ticket conversation (messages, attachments); time
is logged on tickets through timesheets.services.

May import core, sales, projects and timesheets. Independent of invoicing.
"""
