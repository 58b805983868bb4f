"""The supervisor's numbers as set-based queries (definitions: docs/kpis.md).

Each KPI is one function taking a ``Session``, the caller's ``Scope``, a ``Subject``
(station, collector, village or the whole county in scope) and a period or a day. The
scope's WHERE clause is applied to the accounts before anything is summed, so a
collector's request reads only their accounts' rows. ``reference.py`` states each KPI
again in plain Python over the raw ledger; the property tests hold the two equal.
"""

from core.kpis.base import Period, Subject
from core.kpis.ledger import dated_allocations

__all__ = ["Period", "Subject", "dated_allocations"]
