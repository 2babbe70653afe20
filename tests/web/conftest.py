"""The page tests' fixtures: a real server and Debian's chromium (``browser.py``)."""

from tests.web.browser import browser, live, page, viewport

__all__ = ["browser", "live", "page", "viewport"]
