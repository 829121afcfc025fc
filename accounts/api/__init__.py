"""The bookmarks API: /api/v1/bookmarks/ (portal/api_urls.py mounts accounts.api.urls)."""
