"""Webhooks: endpoints, transactional fan-out of outbox events, Standard Webhooks
signing and delivery with retries, and the SSRF policy for receiver URLs."""
