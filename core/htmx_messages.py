"""Messages of htmx actions: a swapped fragment has no place for Django's messages, so every
action would end silently. For an htmx request answered with HTML that stays on the page, the
queued messages are appended as an out-of-band swap of the page's `#messages` list (base.html).
Answers that lead elsewhere (HX-Redirect, HX-Location, HX-Refresh) leave them for the next page.
"""

from django.contrib import messages
from django.template.loader import render_to_string

LEAVING = ("HX-Redirect", "HX-Location", "HX-Refresh")


class HtmxMessagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not self._shows_here(request, response):
            return response
        queued = list(messages.get_messages(request))
        if queued:
            response.content += render_to_string(
                "partials/messages.html", {"messages": queued, "oob": True}, request=request
            ).encode()
        return response

    @staticmethod
    def _shows_here(request, response) -> bool:
        return (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not any(header in response for header in LEAVING)
        )
