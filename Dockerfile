# Incident Bot: the webhook server in a small image.
#   docker build -t incident-bot . && docker run --env-file .env -p 8000:8000 incident-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

WORKDIR /srv/incident-bot

# `python -m app` runs from this directory, so the shipped workflows/ and app.yml
# are found next to the app package, as in a checkout.
COPY pyproject.toml README.md app.yml ./
COPY app ./app
COPY workflows ./workflows
RUN pip install . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin bot \
    && chown bot /srv/incident-bot

# Not root: the code stays root-owned and read-only to the server; the bot may only
# write its working directory (setup mode writes .env there).
USER bot

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"]

CMD ["python", "-m", "app", "serve"]
