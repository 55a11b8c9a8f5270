"""Timesheets: time lines and timers, billable rounding, weekly approval, the week grid, prepaid
burn-downs (a panel on the order page). Keeps the order lines' delivered quantities current
through sales.services.

May import core, audit, sales and projects. Its lines and timers point at helpdesk tickets by
foreign key only (helpdesk sits above and logs time through timesheets.services); what it reads
of tickets and teams, helpdesk registers in `timesheets.tickets` from its AppConfig.ready(), and
its pages link to a ticket through core.links ("ticket").
"""
