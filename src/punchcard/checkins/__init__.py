"""Check-ins by QR code: the portal shows a member a short-lived signed token, a
register scans it and checks the member in at a store (``service.py``)."""
