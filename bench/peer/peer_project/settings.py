"""The peer of issue 5 item 5: django-hordak on PostgreSQL behind a minimal view.

Not part of Punchcard. No auth, no sessions, no CSRF, no middleware at all: the least
Django needs to put hordak's ledger on HTTP. The database comes from
``PEER_DATABASE_URL`` (``postgresql://user@host:port/db``); connections come from
psycopg's pool, as Django recommends under ASGI (persistent connections are per
thread, and Django's ASGI handler runs each request's sync view in a thread of its own).
"""

import os
from urllib.parse import unquote, urlsplit

_url = urlsplit(os.environ.get("PEER_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/peer"))

SECRET_KEY = "peer-bench-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"

# contenttypes: one of hordak's migrations depends on it.
INSTALLED_APPS = ["django.contrib.contenttypes", "mptt", "djmoney", "hordak", "peer_project"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "peer_project.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": unquote(_url.username or "postgres"),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "127.0.0.1",
        "PORT": str(_url.port or 5432),
        "OPTIONS": {"pool": {"min_size": 4, "max_size": 30}},
    }
}

# Points are not money, but hordak's legs carry a currency: one, fixed.
DEFAULT_CURRENCY = "EUR"
HORDAK_INTERNAL_CURRENCY = "EUR"
CURRENCIES = ["EUR"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
