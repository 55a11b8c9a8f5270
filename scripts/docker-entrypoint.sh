#!/bin/sh
# Container entrypoint: apply migrations (and load the demo data when asked), then run the
# command (gunicorn by default; the worker and beat services pass their celery command).
set -e
if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
  python manage.py migrate --noinput
fi
if [ "${SEED_DEMO:-0}" = "1" ]; then
  python manage.py seed_demo
fi
exec "$@"
