"""Browser views of the ticket conversation: the agent's reply / note form on the ticket page and
the attachment download shared by staff and portal users (each checked message by message)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core import policy
from core.errors import DomainError
from core.views import apply_domain_error

from . import conversation_selectors as selectors
from . import conversation_services as services
from .forms import MessageForm


def conversation_context(request, ticket, *, form=None, can_post: bool | None = None) -> dict:
    """What the Conversation section of the agent's ticket page shows."""
    if can_post is None:
        can_post = policy.may(request.user, "ticket.reply", ticket)
    if form is None and can_post:
        form = MessageForm(prefix="msg")
    return {
        "ticket": ticket,
        "conversation": selectors.ticket_messages(ticket=ticket, user=request.user),
        "message_form": form,
        "can_post_message": can_post,
    }


@login_required
@require_POST
def ticket_message_post(request, ticket_id: int):
    """Add a reply or an internal note (htmx answers the refreshed section)."""
    policy.check(request.user, "ticket.view")
    ticket = selectors.ticket_get_readable(user=request.user, ticket_id=ticket_id)
    policy.check(request.user, "ticket.reply", ticket)
    form = MessageForm(request.POST, request.FILES, prefix="msg")
    posted = False
    if form.is_valid():
        try:
            services.message_post(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
                files=form.cleaned_data["attachments"],
            )
            posted = True
        except DomainError as exc:
            apply_domain_error(form, exc)
    if not request.htmx:
        if posted:
            messages.success(
                request, "Internal note added." if form.cleaned_data["internal"] else "Reply sent."
            )
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{ticket_url(ticket)}#conversation")
    # htmx swaps only 2xx answers: a refusal comes back as the section with the form's errors.
    ticket = selectors.ticket_get_readable(user=request.user, ticket_id=ticket_id)
    context = conversation_context(request, ticket, form=None if posted else form)
    return render(request, "helpdesk/partials/conversation.html", context)


@login_required
@require_GET
def attachment_download(request, attachment_id: int):
    """The file of an attachment the user may read (404 otherwise), always as a download."""
    attachment = selectors.attachment_get_readable(user=request.user, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def ticket_url(ticket) -> str:
    return reverse("helpdesk:ticket_detail", kwargs={"ticket_id": ticket.pk})
