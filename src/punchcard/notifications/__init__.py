"""Member mail: points-expiry reminders and tier-change mails, from templates the
merchant edits (``templates``), sent once per event by a worker job (``jobs``)."""
