"""SSO for widgets: a customer signed in on the merchant's site is recognised as a
member (``service.recognize``) through an HMAC the merchant's server signs with the
tenant's SSO secret, and the advocate face's customer mappings (``service``)."""
