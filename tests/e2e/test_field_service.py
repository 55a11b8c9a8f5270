"""Field service journey: a technician works a task (timer, material, notes), the customer signs
on the canvas, the task is marked done; sales invoice it from "To invoice" in one batch job."""

from decimal import Decimal

import pytest

from invoicing.models import Invoice
from projects.models import StockMove, Task
from sales.models import Product
from sales.services import order_confirm, order_create
from tests.e2e.conftest import ARTIFACTS
from tests.factories import CustomerFactory, ProductFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _leave(page):
    """No request in flight when the test ends (the live server's DB is flushed right after)."""
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def _draw_signature(page):
    box = page.locator("#signature-pad").bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.08, y + h * 0.7)
    page.mouse.down()
    for fx, fy in ((0.2, 0.25), (0.32, 0.75), (0.45, 0.3), (0.58, 0.7), (0.72, 0.35), (0.9, 0.6)):
        page.mouse.move(x + w * fx, y + h * fy, steps=8)
    page.mouse.up()


def test_technician_works_a_task_customer_signs_and_sales_invoice_time_and_material(
    page, login, shot, mailoutbox
):
    tech = UserFactory(username="e2e-tech", first_name="Tom", last_name="Field", roles=["agent"])
    seller = UserFactory(username="e2e-seller", first_name="Sue", last_name="Sales", roles=["sales"])
    customer = CustomerFactory(name="Acme Plumbing", email="boss@acme.example")
    service = ProductFactory(
        name="On-site intervention",
        timesheet=True,
        price=Decimal("80.00"),
        service_tracking=Product.ServiceTracking.TASK,
        project=ProjectFactory(name="Field service"),
    )
    cable = ProductFactory(name="Cable 5 m", goods=True, price=Decimal("12.50"), qty_on_hand=Decimal("10"))
    order = order_create(
        customer=customer, user=seller, lines=[{"product": service, "quantity": Decimal("2")}]
    )
    order_confirm(order=order, user=seller)
    task = Task.objects.get(sale_line__order=order)  # created by the confirmation
    Task.objects.filter(pk=task.pk).update(assignee=tech)

    login(page, tech)
    technician_opens_the_task(page, shot, task)
    technician_times_the_work_adds_material_and_notes(page, shot, task, cable)
    customer_signs_on_the_canvas(page, shot)
    technician_marks_the_task_done(page, shot, task, cable, mailoutbox)

    page.context.clear_cookies()
    login(page, seller)
    sales_invoice_the_task_from_to_invoice(page, shot, task, order, service, cable)

    page.context.clear_cookies()
    login(page, tech)
    technician_finds_the_billed_line_locked_and_logs_more_time(page, shot, task, order)
    _leave(page)


def technician_opens_the_task(page, shot, task):
    page.click(".mainnav >> text=Tasks")
    page.wait_for_selector("table.tasks-table")
    shot(page, "field-01-task-list")
    page.click(f"text={task.title}")
    page.wait_for_selector("#task-timesheets")
    shot(page, "field-02-task")


def technician_times_the_work_adds_material_and_notes(page, shot, task, cable):
    # Timer (the helpdesk engineer's partial): start, stop, confirm the rounded duration.
    page.click("button.timer-start")
    page.wait_for_selector(".timer-slot button.timer-stop")
    page.wait_for_timeout(1200)
    shot(page, "field-03-timer-running")
    page.click(".timer-slot button.timer-stop")
    page.wait_for_selector("#timer-stop-dialog")
    page.fill("#timer-stop-dialog input[name=description]", "Replaced the pressure valve")
    shot(page, "field-04-timer-stop")
    page.click("#timer-stop-dialog button[type=submit]")
    page.wait_for_selector("#task-timesheets >> text=Replaced the pressure valve")
    logged = Task.objects.get(pk=task.pk).timesheets.get()
    assert logged.hours == Decimal("0.25")  # rounded up to 15 min
    assert logged.sale_line_id == task.sale_line_id

    # Material: 2 units of cable.
    page.select_option("#task-materials select[name=product]", value=str(cable.pk))
    page.fill("#task-materials input[name=quantity]", "2")
    page.click("#task-materials button[type=submit]")
    page.wait_for_selector("#task-materials >> text=Added: Cable 5 m")
    shot(page, "field-05-material-added")

    # Worksheet notes.
    page.fill("textarea[name=worksheet_notes]", "Valve replaced, pressure checked at 1.5 bar.")
    page.click("#task-form button[type=submit]")
    page.wait_for_selector("text=Task saved.")


def customer_signs_on_the_canvas(page, shot):
    page.click("text=Sign worksheet")
    page.wait_for_selector("#signature-pad")
    page.click("#sign-form button[type=submit]")  # nothing drawn yet: clear error
    page.wait_for_selector("#sign-form .errorlist >> text=Please sign")
    shot(page, "field-06-sign-error")
    _draw_signature(page)
    page.fill("input[name=signed_by]", "Jane Customer")
    shot(page, "field-07-sign")
    page.click("#sign-form button[type=submit]")
    page.wait_for_selector("text=Worksheet signed")


def technician_marks_the_task_done(page, shot, task, cable, mailoutbox):
    """Done: the signed worksheet PDF is stored and mailed, the cable leaves the stock."""
    page.click("#mark-done")
    page.wait_for_selector("text=Task marked as done")
    shot(page, "field-08-done")

    task.refresh_from_db()
    # Keep the signed worksheet PDF next to the screenshots, to look at it.
    (ARTIFACTS / "field-worksheet.pdf").write_bytes(task.worksheet_pdf.read())
    assert task.is_done and task.signed_by == "Jane Customer"
    assert task.worksheet_pdf and task.worksheet_sent_at
    assert mailoutbox and mailoutbox[0].to == ["boss@acme.example"]
    assert mailoutbox[0].attachments[0][2] == "application/pdf"
    cable.refresh_from_db()
    assert cable.qty_on_hand == Decimal("8.00")
    assert StockMove.objects.get(task=task).quantity == Decimal("-2.00")


def sales_invoice_the_task_from_to_invoice(page, shot, task, order, service, cable):
    """To invoice → Create invoices: one batch job makes the draft with the time and the material."""
    page.click(".mainnav >> text=To invoice")
    page.wait_for_selector(f"input[name=tasks][value='{task.pk}']")
    shot(page, "field-09-to-invoice")
    page.check(f"input[name=tasks][value='{task.pk}']")
    page.click("#create-invoices")
    page.wait_for_selector("#invoice-job >> text=Finished")
    shot(page, "field-10-invoice-job")

    invoice = Invoice.objects.get(order=order)
    assert invoice.state == Invoice.State.DRAFT
    lines = {ln.product_id: ln.quantity for ln in invoice.lines.all() if ln.product_id}
    assert lines == {service.pk: Decimal("0.25"), cable.pk: Decimal("2.00")}
    assert invoice.amount_untaxed == Decimal("45.00")  # 0.25 h × 80 + 2 × 12.50
    page.click("#invoice-job a:has-text('Draft invoice')")
    page.wait_for_load_state()
    shot(page, "field-11-invoice")
    page.goto("/projects/to-invoice/")
    assert page.locator(f"input[name=tasks][value='{task.pk}']").count() == 0
    shot(page, "field-12-to-invoice-empty")


def technician_finds_the_billed_line_locked_and_logs_more_time(page, shot, task, order):
    """Back on site: the billed line is locked, more time after done is still billable."""
    page.goto(f"/projects/tasks/{task.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#task-timesheets button:has-text('Delete')")
    page.wait_for_selector("#task-timesheets .form-errors >> text=billed on invoice")
    shot(page, "field-13-billed-line-error")
    page.fill("#task-timesheets form[aria-label='Log time'] input[name=description]", "Follow-up check")
    page.fill("#task-timesheets form[aria-label='Log time'] input[name=hours]", "0.5")
    page.click("#task-timesheets button:has-text('Log time')")
    page.wait_for_selector("#task-timesheets >> text=Follow-up check")
    assert page.locator("#task-total-hours").inner_text().startswith("0.75")
    shot(page, "field-14-more-time-after-done")
    order.refresh_from_db()
    assert order.invoice_status == "to_invoice"  # the added time goes on a new invoice


def test_project_kanban_screen(page, login, shot):
    tech = UserFactory(username="e2e-tech2", roles=["agent"])
    project = ProjectFactory(name="Boiler maintenance", customer=CustomerFactory(name="Acme Plumbing"))
    for title, stage in (
        ("Yearly check – block A", Task.Stage.NEW),
        ("Yearly check – block B", Task.Stage.NEW),
        ("Replace pump", Task.Stage.IN_PROGRESS),
        ("Flush radiators", Task.Stage.DONE),
    ):
        Task.objects.create(
            title=title,
            project=project,
            customer=project.customer,
            stage=stage,
            is_done=stage == Task.Stage.DONE,
            assignee=tech,
        )
    login(page, tech)
    page.goto("/projects/")
    shot(page, "field-15-projects")
    page.click("text=Boiler maintenance")
    page.wait_for_selector(".kanban")
    assert page.locator(".stage-col-new .kanban-card").count() == 2
    shot(page, "field-16-kanban")
    _leave(page)
