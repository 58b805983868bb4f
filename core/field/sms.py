"""Where SMS go. The default gateway only logs; a carrier's API plugs in behind the protocol."""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("arrears.sms")


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send one message; raise on failure (the outbox retries later)."""


class LoggingGateway:
    """Writes each message to the log instead of sending it (demo and development)."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)
