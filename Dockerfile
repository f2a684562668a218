# Production image of the roadmap portal: web (gunicorn), Celery worker and beat share it.
FROM python:3.12-slim-bookworm

# WeasyPrint's system libraries (pango, harfbuzz; fonts are shipped with the project) and
# LibreOffice, which converts old .doc/.rtf/.odt/.xls/.ods roadmaps for the importer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        libreoffice-writer-nogui libreoffice-calc-nogui \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PORTAL_DATA_DIR=/data

WORKDIR /app
RUN pip install --no-cache-dir uv
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# Static files are collected at build time: reading the settings starts and connects to
# nothing, and collectstatic is a command that needs no server (manage.py NO_SERVERS).
RUN SECRET_KEY=build python manage.py collectstatic --noinput \
    && useradd --system --home /app portal && mkdir -p /data && chown portal /data \
    && chown -R portal /app/staticfiles
USER portal
EXPOSE 8000
CMD ["gunicorn", "roadmap_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]
