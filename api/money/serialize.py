"""Plain dicts for responses, built from service results (no ORM objects leave the view)."""

from __future__ import annotations

from typing import Any

from api.money.service import PaymentResult
from geo.money import AmountDue


def result_body(result: PaymentResult) -> dict[str, Any]:
    body: dict[str, Any] = {"status": result.status.value, "replay": result.replay}
    if result.payment is not None:
        p = result.payment
        body.update(
            id=p.id,
            kind=p.kind.value,
            account_id=p.account_id,
            amount=p.amount,
            channel=p.channel.value,
            collected_at=p.collected_at,
            recorded_at=p.recorded_at,
            device_id=p.device_id,
            receipt_no=p.receipt_no,
            collector_id=p.collector_id,
            reverses_id=p.reverses_id,
            reason=p.reason,
            allocations=[
                {"bill_id": a.bill_id, "principal": a.principal, "late_fee": a.late_fee}
                for a in result.allocations
            ],
            overpayment=result.overpayment,
        )
    elif result.quarantine is not None:
        q = result.quarantine
        body.update(
            id=q.id,
            account_id=q.account_id,
            amount=q.amount,
            channel=q.channel,
            collected_at=q.collected_at,
            recorded_at=q.recorded_at,
            device_id=q.device_id,
            collector_id=q.collector_id,
            allocations=[],
            quarantine_reason=q.reason,
        )
    return body


def due_body(due: AmountDue) -> dict[str, Any]:
    b = due.buckets
    return {
        "account_id": due.account_id,
        "as_of": due.as_of,
        "principal": due.principal,
        "late_fee": due.late_fee,
        "total": due.total,
        "credit": due.credit,
        "net": due.net,
        "bills": [
            {
                "bill_id": x.bill_id,
                "period": x.period,
                "due_date": x.due_date,
                "amount": x.amount,
                "principal": x.principal,
                "late_fee": x.late_fee,
                "total": x.total,
                "days_overdue": x.days_overdue,
            }
            for x in due.bills
        ],
        "buckets": {
            "d1_30": b.d1_30,
            "d31_60": b.d31_60,
            "d61_90": b.d61_90,
            "d90_plus": b.d90_plus,
            "total": b.total,
        },
        "oldest_days_overdue": due.oldest_days_overdue,
        "stage": due.stage.value,
    }
