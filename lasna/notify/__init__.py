"""E-mail digests and alerts (issue #16): compose into the outbox, then deliver over SMTP exactly once.

* :mod:`lasna.notify.content` – what a message says, as data, from the coaching service's outputs (pure);
* :mod:`lasna.notify.render` – subject, plain text and HTML in Finnish or English (pure);
* :mod:`lasna.notify.hours` – the programme clock: ISO week, business hours, quiet hours (pure);
* :mod:`lasna.notify.prefs` – per-user preferences;
* :mod:`lasna.notify.smtp` – SMTP delivery (STARTTLS / SMTPS) with the standard library;
* :mod:`lasna.notify.jobs` – the two scheduled jobs and the per-user delivery status.
"""

from __future__ import annotations

from lasna.notify.jobs import RunResult, check_alerts, delivery_status, send_digests
from lasna.notify.prefs import Preferences, get_preferences, set_preferences

__all__ = ["RunResult", "check_alerts", "delivery_status", "send_digests", "Preferences", "get_preferences",
           "set_preferences"]
