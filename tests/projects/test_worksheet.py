"""SPEC: the worksheet report (notes, time lines, materials) is signed on a touch screen; the
signed PDF (signature embedded) is stored on the task and e-mailed to the customer (Celery)."""

import base64
import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw

from core.errors import DomainError
from projects.services import task_material_add, task_sign
from projects.worksheet import render_worksheet_pdf
from tests.factories import TicketFactory, TimesheetLineFactory

pytestmark = pytest.mark.django_db


def png_data_url(*, ink: bool = True, size=(600, 220)) -> str:
    image = Image.new("RGB", size, "white")
    if ink:
        ImageDraw.Draw(image).line([(40, 150), (200, 60), (380, 170), (560, 80)], fill="black", width=4)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "w.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_image_count(data: bytes, tmp_path) -> int:
    path = tmp_path / "i.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return len(out.strip().splitlines()) - 2  # two header lines


@pytest.fixture
def worked_task(field_task, cable, agent):
    field_task.worksheet_notes = "Replaced the pressure valve."
    field_task.save()
    TimesheetLineFactory(
        task=field_task,
        project=field_task.project,
        employee=agent,
        hours=Decimal("1.25"),
        description="Diagnosis on site",
        date=datetime.date(2026, 11, 20),
    )
    task_material_add(task=field_task, product=cable, quantity=Decimal("2"), user=agent)
    return field_task


def test_signing_stores_the_signed_pdf_and_emails_it_to_the_customer(
    worked_task, agent, mailoutbox, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        task_sign(task=worked_task, signature=png_data_url(), signed_by="Jane Customer", user=agent)
    assert len(callbacks) == 1  # the e-mail job is enqueued after commit, not before

    worked_task.refresh_from_db()
    assert worked_task.signed_by == "Jane Customer"
    assert worked_task.signed_at is not None
    assert worked_task.signature.name.endswith(".png")
    assert worked_task.worksheet_pdf
    assert worked_task.worksheet_sent_at is not None
    pdf = worked_task.worksheet_pdf.read()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "Worksheet",
        "Replaced the pressure valve.",
        "Diagnosis on site",
        "1.25",
        "Cable 5 m",
        "2.00",
        "Signed by Jane Customer",
        "Globex",
    ):
        assert expected in text
    assert pdf_image_count(pdf, tmp_path) >= 1  # the signature image is embedded

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["ap@globex.example"]
    assert worked_task.title in mail.subject
    (name, content, mimetype) = mail.attachments[0]
    assert mimetype == "application/pdf" and content == pdf


def test_nothing_is_sent_before_the_transaction_commits(worked_task, agent, mailoutbox):
    # The test transaction never commits: the job stays pending.
    task_sign(task=worked_task, signature=png_data_url(), signed_by="Jane", user=agent)
    assert mailoutbox == []


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "not a data url",
        "data:image/png;base64,%%%",
        "data:image/png;base64," + base64.b64encode(b"GIF89a").decode(),
    ],
)
def test_a_missing_or_unreadable_signature_is_a_field_error(worked_task, agent, signature):
    with pytest.raises(DomainError) as err:
        task_sign(task=worked_task, signature=signature, signed_by="Jane", user=agent)
    assert err.value.field == "signature"
    worked_task.refresh_from_db()
    assert not worked_task.signed_at and not worked_task.signature


def test_a_blank_canvas_is_not_a_signature(worked_task, agent):
    with pytest.raises(DomainError, match="Please sign") as err:
        task_sign(task=worked_task, signature=png_data_url(ink=False), signed_by="Jane", user=agent)
    assert err.value.field == "signature"


def test_the_signer_name_is_required(worked_task, agent):
    with pytest.raises(DomainError) as err:
        task_sign(task=worked_task, signature=png_data_url(), signed_by="  ", user=agent)
    assert err.value.field == "signed_by"


def test_the_worksheet_shows_the_time_of_linked_tickets(worked_task, agent, tmp_path):
    ticket = TicketFactory(task=worked_task, customer=worked_task.customer)
    TimesheetLineFactory(
        ticket=ticket,
        project=worked_task.project,
        employee=agent,
        hours=Decimal("0.50"),
        description="Phone triage",
    )
    text = pdf_text(render_worksheet_pdf(worked_task), tmp_path)
    assert "Phone triage" in text
    assert "1.75 h" in text
    assert "Not signed" in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_customer_without_email_gets_the_pdf_stored_but_no_mail(
    worked_task, agent, mailoutbox, django_capture_on_commit_callbacks
):
    worked_task.customer.email = ""
    worked_task.customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        task_sign(task=worked_task, signature=png_data_url(), signed_by="Jane", user=agent)
    worked_task.refresh_from_db()
    assert worked_task.worksheet_pdf
    assert worked_task.worksheet_sent_at is None
    assert mailoutbox == []
