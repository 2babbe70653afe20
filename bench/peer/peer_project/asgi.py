"""ASGI entry point: ``uvicorn peer_project.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_project.settings")
application = get_asgi_application()
