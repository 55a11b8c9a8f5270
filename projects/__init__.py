"""Projects and field service: projects, tasks, materials and stock moves, worksheets and their
signatures, employee rates; creates tasks and projects when an order is confirmed.

May import core, audit and sales. Other rooms add to its pages through core.panels (the time
lines, the timer and the hours on the task page, the task list and the worksheet come from
timesheets) and are linked through core.links (a task's tickets, the "To invoice" list).
"""
