# One image for web, worker, trainer and beat (docker-compose.yml picks the command); trainer-gpu
# builds it again with a CUDA index for torch (TORCH_INDEX_URL).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORTAL_VAR_DIR=/srv/var

WORKDIR /srv/portal
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
# The CPU build of torch keeps the image a few GB smaller; a GPU host can override the index.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --no-cache-dir --extra-index-url "$TORCH_INDEX_URL" -r requirements.txt

COPY . .
RUN useradd --create-home --uid 1000 portal && mkdir -p /srv/var && chown -R portal /srv/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
