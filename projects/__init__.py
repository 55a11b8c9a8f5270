"""Projects and field service: projects, tasks, materials and stock moves, worksheets and their
signatures, employee rates; creates tasks and projects when an order is confirmed.

May import core and sales.
"""
