"""Settings of the benchmark's gunicorn: the portal's, plus the floor endpoint's urls."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
