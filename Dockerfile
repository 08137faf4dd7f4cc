# syntax=docker/dockerfile:1
# Incident Bot: the webhook server in a small image.
#   docker build -t incident-bot . && docker run --env-file .env -p 8000:8000 incident-bot
#   docker run --rm incident-bot incident-bot demo      # a whole incident, offline

# Stage 1 builds the wheel, which carries the workflow presets and app.yml as
# package data (setup.py). Only the wheel leaves this stage.
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md LICENSE app.yml ./
COPY app ./app
COPY workflows ./workflows
RUN pip wheel --no-deps --wheel-dir /wheels .

# Stage 2: the pinned dependencies (requirements.txt, as Heroku installs them) and
# the wheel, both mounted for the install only, so no source, build tree, wheel or
# egg-info is left in the image.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-deps -r /tmp/requirements.txt /wheels/*.whl \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin bot \
    && mkdir /srv/incident-bot \
    && chown bot /srv/incident-bot

# Not root: the code stays root-owned and read-only to the server; the bot may only
# write its working directory (setup mode writes .env there).
USER bot
WORKDIR /srv/incident-bot

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]

CMD ["incident-bot", "serve"]
