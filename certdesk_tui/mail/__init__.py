"""Email delivery: the outbox rows written by the service, delivered afterwards.

``message`` turns an outbox row into a standard-library ``EmailMessage``;
``transports`` writes it to ``.eml`` files or sends it over SMTP (yagmail);
``delivery`` claims due rows, sends them, retries with backoff and records the
outcome; ``commands`` is the ``certdesk mail`` command group.
"""
