"""Helpdesk: teams, stages, tickets and the ticket conversation (messages, attachments); time
is logged on tickets through timesheets.services.

May import core, audit, sales, projects and timesheets. Independent of invoicing. Registers in
`timesheets.tickets` what timesheets reads of its tickets (their team, the tickets of a user's
teams, the open ones to log time on), the tickets of the order and customer pages
(core.panels) and the "ticket" link (core.links); its e-mails link to the portal's ticket page
through core.links ("portal.ticket").
"""
