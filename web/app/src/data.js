// The day's data on the phone: the offline pack (ETag/304), delta sync of accounts,
// receipt numbers, cash in hand. Everything fetched is kept in IndexedDB.

import {ApiError, call, callJson} from './api.js';
import * as db from './db.js';

/** Fetch today's pack unless the stored one is current (If-None-Match -> 304). */
export async function fetchPack() {
  const etag = await db.get('packEtag');
  const resp = await call('/api/me/route/pack', {headers: etag ? {'If-None-Match': etag} : {}});
  // Whatever was sent before this request is in the answer (the due amounts, settled).
  const checkedAt = new Date().toISOString();
  if (resp.status === 304) {
    await db.put('packCheckedAt', checkedAt);
    return {changed: false};
  }
  if (resp.status === 404) {
    await db.put('pack', null);
    await db.put('packEtag', null);
    return {changed: true};
  }
  if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
  const pack = await resp.json();
  await db.put('pack', pack);
  await db.put('packEtag', resp.headers.get('ETag'));
  await db.put('packCheckedAt', checkedAt);
  return {changed: true, pack};
}

/** Changes in my scope since the stored cursor: account upserts and tombstones. */
export async function deltaSync() {
  let cursor = (await db.get('cursor')) || '0';
  let accounts = (await db.get('accounts')) || {};
  for (let page = 0; page < 50; page += 1) {
    const resp = await call(`/api/sync?cursor=${encodeURIComponent(cursor)}`);
    if (resp.status === 410) {
      cursor = '0';
      continue;
    }
    if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
    const body = await resp.json();
    // An account's data is computed when the page is served: it holds every payment sent
    // before this instant (the pack's checkedAt plays the same part for the pack's stops).
    const fetchedAt = new Date().toISOString();
    if (body.full) accounts = {};
    for (const change of body.changes) {
      if (change.entity !== 'account') continue;
      accounts[change.id] = change.op === 'delete' ? {deleted: true} : {...change.data, fetchedAt};
    }
    cursor = body.cursor;
    if (!body.more) break;
  }
  await db.put('accounts', accounts);
  await db.put('cursor', cursor);
  return accounts;
}

/** Keep at least `min` receipt numbers on the phone (a new block from the server). */
export async function topUpReceipts(deviceId, min = 20) {
  const pool = (await db.get('receipts')) || [];
  if (pool.length >= min) return pool.length;
  const block = await callJson('/api/me/receipt-blocks', {
    method: 'POST',
    json: {device_id: deviceId},
  });
  const numbers = [];
  for (let n = block.first; n <= block.last; n += 1) {
    numbers.push(`${block.prefix}${String(n).padStart(6, '0')}`);
  }
  await db.atomically(async ({kv, result}) => {
    const current = (await result(kv.get('receipts'))) || [];
    kv.put(current.concat(numbers), 'receipts');
  });
  return pool.length + numbers.length;
}

/** The server's figure of the cash I hold (last count plus everything since). */
export async function cashOnServer(userId) {
  const body = await callJson(`/api/cash/collectors/${userId}`);
  await db.put('cashServer', body.in_hand);
  return body.in_hand;
}
