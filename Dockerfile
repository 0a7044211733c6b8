# Boucle's container image: one image for every process (web, worker, beat, one-off commands).
# Build: docker build -t boucle:local .   Run the whole platform: docker compose up -d (compose.yaml)
# The base image is pinned to a patch release; pin its digest too (python:3.11.13-slim-bookworm@sha256:…)
# once you have pulled it, so a rebuild gives the same image.
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOUCLE_DATA_DIR=/var/lib/boucle \
    BOUCLE_STATIC_ROOT=/opt/boucle/static

# An account without a shell or privileges runs everything; it owns only the data folder.
RUN groupadd --system --gid 10001 boucle \
 && useradd --system --uid 10001 --gid boucle --home-dir /var/lib/boucle --shell /usr/sbin/nologin boucle \
 && mkdir -p /var/lib/boucle /opt/boucle \
 && chown boucle:boucle /var/lib/boucle

WORKDIR /opt/boucle
# What the package needs to build: its metadata, its README (the long description) and its sources,
# reference data, templates, static files and translations (all under src/boucle).
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-compile . \
 && rm -rf /opt/boucle/src

# Static files collected once at build time (WhiteNoise serves them); a throw-away key and database,
# only for this step.
RUN BOUCLE_SECRET_KEY=collectstatic-only BOUCLE_DATA_DIR=/tmp/build \
    DATABASE_URL=sqlite:////tmp/build/build.sqlite3 \
    boucle manage collectstatic --noinput --verbosity 0 \
 && rm -rf /tmp/build

USER boucle:boucle
VOLUME ["/var/lib/boucle"]
EXPOSE 8000

# Ready when the database, the cache and the broker answer (/readyz); urllib: no curl in a slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]

# Gunicorn (gthread workers), the same server and options as `boucle serve` everywhere.
CMD ["boucle", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "3"]
