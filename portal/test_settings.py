"""Settings for the test suite: production settings, plus what a test run needs.

Tests run with DEBUG off, as in production; only the secret and the HTTPS redirect, which
the test client cannot follow, are set here. Everything else comes from the environment.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-suite-secret-key-not-for-any-deployment")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# A broker folder of this run's own, so that a development worker never takes the tests' tasks.
if os.environ.get("CELERY_BROKER_URL", "filesystem://") == "filesystem://":
    os.environ["CELERY_BROKER_URL"] = "filesystem://" + tempfile.mkdtemp(prefix="portal-test-broker-")

from portal.settings import *  # noqa: F403

# One SQLite test database per test run, so that two runs on one machine never share a file.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
# Static files come from the finders in tests; there is no collectstatic output to serve.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Tests embed what they need themselves: a worker test should not load the embedding model for
# every tutorial it saves (tests/discovery turns this on where it checks the dispatch).
EMBEDDINGS_ON_SAVE = False
