// Recording at the door: every record gets its UUID when it is made and goes into the
// IndexedDB outbox in the same transaction as the receipt number it uses, so a closed app
// or a dead battery neither loses nor doubles anything.

import * as db from './db.js';

let seq = 0;

function entry(kind, body, extra = {}) {
  seq += 1;
  return {
    id: body.id,
    seq: Date.now() * 1000 + (seq % 1000),
    kind,
    state: 'waiting',
    body,
    createdAt: new Date().toISOString(),
    ...extra,
  };
}

function visitBody(deviceId, accountId, outcome, fix, promiseDate) {
  return {
    id: crypto.randomUUID(),
    account_id: accountId,
    outcome,
    promise_date: promiseDate || null,
    fix: fix || null,
    device_time: new Date().toISOString(),
    device_id: deviceId,
  };
}

export async function recordVisit(deviceId, accountId, outcome, {fix, promiseDate} = {}) {
  const item = entry('visit', visitBody(deviceId, accountId, outcome, fix, promiseDate));
  await db.outboxPut([item]);
  return item;
}

export class NoReceiptNumbers extends Error {}

/**
 * A cash or QR payment with its receipt number (the next one of the device's blocks) and
 * the visit it ends (paid or partial); a QR payment carries the channel's transaction
 * (``qrRef``: channel and txn_id). Returns the payment's outbox entry.
 */
export async function recordPayment(
  deviceId, stop, amount, method, {fix, due, collector, qrRef = null},
) {
  const outcome = Number(amount) >= Number(due) ? 'paid' : 'partial';
  return db.atomically(async ({kv, outbox, result}) => {
    const pool = (await result(kv.get('receipts'))) || [];
    if (pool.length === 0) throw new NoReceiptNumbers();
    const receiptNo = pool.shift();
    kv.put(pool, 'receipts');
    const body = {
      id: crypto.randomUUID(),
      account_id: stop.account.id,
      amount,
      channel: method === 'qr' ? 'field_qr' : 'field_cash',
      collected_at: new Date().toISOString(),
      device_id: deviceId,
      receipt_no: receiptNo,
      // QR: the channel's transaction; the server holds the payment until it matches.
      ...(method === 'qr' ? {qr_ref: qrRef} : {}),
      // The collector confirmed an amount above what is owed (views/pay.js): the server
      // asks for this flag before it takes field money far above the debt.
      confirm_amount: Number(amount) > Number(due),
    };
    const payment = entry('payment', body, {
      receipt: {
        no: receiptNo,
        name: stop.account.name,
        number: stop.account.number,
        amount,
        method,
        qr: method === 'qr' ? qrRef : null,
        at: body.collected_at,
        collector,
      },
    });
    const visit = entry('visit', visitBody(deviceId, stop.account.id, outcome, fix, null));
    outbox.put(payment);
    outbox.put(visit);
    return payment;
  });
}

export async function waiting() {
  return (await db.outboxAll()).filter((i) => i.state === 'waiting');
}
