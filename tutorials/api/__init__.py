"""The runs API: /api/v1/runs/ (portal/api_urls.py mounts tutorials.api.urls)."""
