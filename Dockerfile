# The portal's image: web (gunicorn), Celery worker and Celery beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders the invoice PDFs with Pango/HarfBuzz; DejaVu is the fallback font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached while only the code changes).
COPY pyproject.toml requirements.lock ./
RUN pip install -c requirements.lock .

COPY . .

# Static files are collected at build time and served by WhiteNoise. The key below is only
# for this build step; the running container must get its own SECRET_KEY.
RUN DEBUG=False SECRET_KEY=collectstatic-build-step-only-not-a-real-secret-0123456789abcdef \
      ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home-dir /app app \
 && mkdir -p /app/var/media /app/var/peppol-outbox \
 && chown -R app:app /app/var \
 && chmod +x scripts/docker-entrypoint.sh

USER app
EXPOSE 8000

ENTRYPOINT ["scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
