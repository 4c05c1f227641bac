"""The demo database: a fictional team, customers and a realistic request history.

``build_demo`` wipes the database it is given (only one it built itself, or an
empty one) and fills it with:

* a team around the manager (the person who runs it): three certificate
  specialists, a data processor and two payroll advisors;
* customers of the three brands, some inactive, each with a workers' comp
  policy (some renewed, some lapsed, some ending soon with their next term on
  record already, so that their certificates are due for renewal), a few with
  Unicode names and two whose names look like markup (``[bold]Bracket[/] & Sons``,
  ``<b>Angle</b> ...``);
* requests of every status, type and channel. Their manual reasons are the
  intake's own: ``intake.discrepancies`` and ``intake.manual_reasons`` run on
  every submission, and possible duplicates are found as the intake finds them.
  So, as with the real intake, every New or In Progress request is on the
  manual list (a request with no reason is completed at once); completed ones
  are a mix of automatic and manual. Each request has the activity log, notes,
  certificate and emails the service would have written for its history; every
  certificate is drawn by the real renderer (``certificates``), records the policy
  term it certified and teaches its customer's holder address book, as an issue does.

Everything is decided by the seed; only the reference time ("now", the current
hour: ages run from minutes to about three weeks), the dates derived from it and
the Message-IDs differ between two builds with the same seed.

The modules, in the order a build uses them: ``catalogue`` (the names, places,
carriers and sentences the demo is made of), ``records`` (a planned customer,
policy and request), ``planner`` (who, what and when), ``history`` (the rows the
service would have written), ``certificates``, ``loading`` (wiping and bulk
inserts) and ``build`` (``build_demo``, phase by phase). Speed (100,000
requests in about 20 s on two cores): SQLAlchemy Core bulk inserts in one
transaction, a chunk of requests at a time, into tables whose secondary indexes
are rebuilt once at the end (SQLite).
"""

from certdesk_tui.demo.build import LAST_TIMINGS, build_demo
from certdesk_tui.demo.catalogue import DEMO_MARKER
from certdesk_tui.demo.loading import require_demo_or_empty

__all__ = ["DEMO_MARKER", "LAST_TIMINGS", "build_demo", "require_demo_or_empty"]
