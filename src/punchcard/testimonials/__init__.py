"""Testimonials: what members say about the merchant, with a rating, moderated before
use (``pending → approved | rejected``)."""
