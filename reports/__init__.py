"""Reports: read-only figures (hours, unbilled work, revenue, receivables, burn-downs), on
screen and as CSV.

A feature room: may import every domain app and contracts; nothing imports it but demo.

The summaries the reports read (`reports.models`) are kept exact by PostgreSQL triggers under
concurrent writers. A line's customer is read from its ticket, task or project, so a customer
change of such a record X and a timesheet write touching X's lines are serialised by row locks:
- lines already in X (edited, invoiced, deleted, or moved out): the change locks them FOR SHARE
  after locking their orders (migration 0006), so one of the two waits for the other's commit;
- lines logged on X (INSERT) or moved into X (UPDATE of their ticket, task or project): the
  write takes FOR SHARE on X before computing its delta (0006, 0007), so the change waits for
  it or it reads X's new customer (every statement of a trigger function takes a new snapshot).
Nothing is misfiled, so `summaries.rebuild_summaries` is only for loads that bypass triggers.
Lock orders: a change takes X, then orders, then lines; an edit moving a line into X takes
orders (its service), lines, then X. They meet only when the edit holds an order of X's lines,
and the edit had that wait already at commit when X is a ticket or task (its foreign-key check
takes KEY SHARE on X, which their update's SELECT FOR UPDATE blocks): PostgreSQL then aborts
one of the two as a deadlock, it never misfiles. Taking X before the orders in the timesheet
edit service would remove that case.
"""
