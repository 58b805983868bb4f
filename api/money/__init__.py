"""Money resource: amount due, payments exactly once, batches, reversals, cash custody.

Endpoints (one blueprint, ``api.money.views.blp``):

- ``GET  /api/arrears/{account_id}?as_of=``  amount due per bill, ageing, escalation stage
- ``GET  /api/arrears?as_of=&stage=``        set-based list (principal by age), keyset pages
- ``POST /api/payments``                    201 created | 200 replay | 202 quarantined | 422
- ``POST /api/payments/batch``              per item created | replayed | rejected | quarantined
- ``GET  /api/payments/{id}``               a payment or reversal with its allocations
- ``POST /api/payments/{id}/reversal``      supervisors; negative allocations; at most once
- ``POST /api/channels/notices``            a channel client's signed notice, once per txn
- ``POST /api/payments/notifications``      the same typed in by an admin
- ``POST /api/payments/import?channel=``    kiosk/bank CSV, deduplicated the same way
- ``GET  /api/money/exceptions``            overpayments and quarantined uploads
- ``POST /api/money/quarantine/{id}/release``  a supervisor stores a quarantined upload
- ``GET  /api/money/audit``                 who, when, which device, what
- ``GET|POST /api/money/rates``             late-fee rate versions (future-dated)
- ``POST /api/cash/handovers``              cash handed to the station (a ledger entry)
- ``GET|POST /api/cash/reconciliations``    daily count: expected vs counted, variance entry
- ``GET  /api/cash/collectors/{id}``        cash in hand now

The money rules and services live in :mod:`core.money`; the views here are thin.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask

from core.money.ids import set_derivation_key


def init_app(app: Flask) -> None:
    """Key the server-derived money ids (``MONEY_ID_KEY``, else derived from the app's
    token secret): channel transactions, prepaid draws and group parts."""
    key = app.config.get("MONEY_ID_KEY") or hmac.new(
        str(app.config["JWT_SECRET_KEY"]).encode(), b"derived money ids", hashlib.sha256
    ).hexdigest()
    set_derivation_key(key.encode() if isinstance(key, str) else key)
