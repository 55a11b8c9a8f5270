"""Waiting for htmx in browser journeys."""


def htmx_idle(page) -> None:
    """Wait until no htmx request, swap or settle is under way on the page."""
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")
