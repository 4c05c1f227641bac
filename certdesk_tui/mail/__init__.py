"""Email delivery: the outbox rows written by the service, delivered afterwards.

``message`` turns an outbox row into a standard-library ``EmailMessage``;
``transports`` writes it to ``.eml`` files or hands it to ``smtp`` (yagmail),
whose per-message deadline is ``deadline``; ``delivery`` runs the state machine
(claim due rows, send, retry with backoff) over ``claims``, which records each
step in the database; ``status`` reports what is in the outbox and ``requeue``
puts failed messages back in the queue. The ``certdesk mail`` commands live in
the command-line package.
"""
