// Sync: the outbox goes up through the batch endpoints (per-item results), then the day's
// data comes down. Every item keeps its UUID, so a resend after a cut is a replay on the
// server: nothing is doubled, and an item stays "waiting" until its answer arrived.

import {ApiError, callJson} from './api.js';
import {cashOnServer, deltaSync, fetchPack, topUpReceipts} from './data.js';
import * as db from './db.js';

const BATCH = {visit: '/api/visits/batch', payment: '/api/payments/batch'};
const MAX_BATCH = 200;
// The start of the server's reason for a QR payment held until the channel confirms it.
const QR_PENDING = 'QR payment pending';

function settle(item, answer) {
  if (answer.status === 'created' || answer.status === 'replayed') {
    const sentAt = new Date().toISOString();
    return {...item, state: 'sent', result: answer.status, receiptNo: answer.receipt_no, sentAt};
  }
  if (answer.status === 'quarantined') {
    // A QR payment waits for its channel's notice (core/money/qr.py PENDING): 待核对, not
    // a problem for the supervisor. A resend is a replay either way.
    const held = answer.reason && answer.reason.startsWith(QR_PENDING) ? 'pending' : 'quarantined';
    return {...item, state: held, reason: answer.reason, sentAt: new Date().toISOString()};
  }
  return {...item, state: 'rejected', reason: answer.reason, errors: answer.errors};
}

/** Send every waiting item; returns how many got an answer. Throws when cut off. */
export async function upload() {
  let answered = 0;
  // Payments first: the cash is what must reach the server.
  for (const kind of ['payment', 'visit']) {
    const waiting = (await db.outboxAll()).filter((i) => i.kind === kind && i.state === 'waiting');
    for (let start = 0; start < waiting.length; start += MAX_BATCH) {
      const chunk = waiting.slice(start, start + MAX_BATCH);
      const body = await callJson(BATCH[kind], {
        method: 'POST',
        json: {items: chunk.map((i) => i.body)},
      });
      const byIndex = new Map(body.items.map((a) => [a.index, a]));
      const updated = chunk.map((item, index) =>
        byIndex.has(index) ? settle(item, byIndex.get(index)) : item,
      );
      await db.outboxPut(updated);
      answered += updated.length;
    }
  }
  return answered;
}

/** The whole round: upload, then pack, accounts, receipt numbers and cash in hand. */
export async function syncAll(user, deviceId) {
  const sent = await upload();
  await fetchPack();
  await deltaSync();
  await topUpReceipts(deviceId);
  await cashOnServer(user.id).catch((err) => {
    if (!(err instanceof ApiError)) throw err;
  });
  const at = new Date().toISOString();
  await db.put('lastSync', at);
  return {sent, at};
}
