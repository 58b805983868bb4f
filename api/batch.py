"""The one answer shape of every batch upload (payments, payment files, visits).

``items``: one entry per uploaded item, in order, each ``created``, ``replayed``,
``rejected`` or ``quarantined``; a refusal's ``reason`` is a stable code string and
``errors`` holds the field errors of an ``invalid`` item. Then a count per status.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

STATUSES = ("created", "replayed", "rejected", "quarantined")


class BatchItemSchema(Schema):
    index = fields.Integer()
    id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(STATUSES)})
    reason = fields.String(
        allow_none=True,
        metadata={"description": "Why: a stable code (e.g. invalid, not_in_scope, id_conflict)"},
    )
    errors = fields.Dict(
        allow_none=True, metadata={"description": "Field errors of an invalid item"}
    )
    receipt_no = fields.String(allow_none=True, metadata={"description": "Payments only"})


class BatchOutSchema(Schema):
    items = fields.List(fields.Nested(BatchItemSchema))
    created = fields.Integer()
    replayed = fields.Integer()
    rejected = fields.Integer()
    quarantined = fields.Integer()


def batch_answer(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The items, each with every key of the shape, and the count of each status."""
    full = [{"id": None, "reason": None, "errors": None, **item} for item in items]
    return {"items": full, **{k: sum(1 for i in full if i["status"] == k) for k in STATUSES}}
