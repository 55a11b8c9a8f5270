"""Counts the live server's requests in flight, so a browser test can wait for them to end.

A page closed at the end of a test may leave a request running in a live-server thread (a long
list, an htmx poll). pytest-django then empties the database with one TRUNCATE of every table;
that request, taking its table locks one by one, can deadlock with it and fail the teardown.
"""

import threading

_idle = threading.Condition()
_active = 0


class CountRequestsInFlight:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        global _active
        with _idle:
            _active += 1
        try:
            return self.get_response(request)
        finally:
            with _idle:
                _active -= 1
                _idle.notify_all()


def wait_until_idle(timeout: float = 30.0) -> bool:
    with _idle:
        return _idle.wait_for(lambda: _active == 0, timeout=timeout)
