// What the screens show, read back from IndexedDB: the pack, the accounts' changes since,
// the outbox. Stops are derived: settled (paid since planning, or per delta sync), visited
// (a record today), gone (a tombstone: the account left my scope).

import * as db from './db.js';

export const state = {
  user: null,
  deviceId: null,
  pack: null,
  packCheckedAt: null,
  accounts: {},
  outbox: [],
  lastSync: null,
  cashServer: null,
  receiptsLeft: 0,
};

export async function load() {
  let deviceId = await db.get('deviceId');
  if (!deviceId) {
    deviceId = `web-${crypto.randomUUID()}`;
    await db.put('deviceId', deviceId);
  }
  state.deviceId = deviceId;
  state.user = (await db.get('user')) || null;
  state.pack = (await db.get('pack')) || null;
  state.packCheckedAt = (await db.get('packCheckedAt')) || null;
  state.accounts = (await db.get('accounts')) || {};
  state.outbox = await db.outboxAll();
  state.lastSync = (await db.get('lastSync')) || null;
  state.cashServer = (await db.get('cashServer')) ?? null;
  state.receiptsLeft = ((await db.get('receipts')) || []).length;
  await forgetGone();
  return state;
}

/** Tombstoned accounts leave the phone: their stop (name, phone, address) is dropped. */
async function forgetGone() {
  if (!state.pack) return;
  const gone = (s) => state.accounts[String(s.account.id)]?.deleted;
  if (!state.pack.stops.some(gone)) return;
  state.pack = {...state.pack, stops: state.pack.stops.filter((s) => !gone(s))};
  await db.put('pack', state.pack);
}

function liveRecords(accountId) {
  return state.outbox.filter((i) => i.body.account_id === accountId && i.state !== 'rejected');
}

export function stopView(stop) {
  const records = liveRecords(stop.account.id);
  // Two sources of the server's figures: the pack (as of packCheckedAt) and delta sync (as
  // of each account's fetchedAt). Delta sync may deliver a change late (it waits for every
  // older transaction in the database to end), so the newer of the two is believed.
  const synced = state.accounts[String(stop.account.id)];
  const packAt = Date.parse(state.packCheckedAt || '') || 0;
  const syncedAt = synced && !synced.deleted ? Date.parse(synced.fetchedAt || '') || 0 : 0;
  const fromSync = syncedAt > packAt;
  const asOf = fromSync ? syncedAt : packAt;
  // Money that source does not show yet: not sent, or sent after it was fetched (both
  // instants on the phone's clock).
  const reflected = (i) => i.state === 'sent' && i.sentAt && Date.parse(i.sentAt) < asOf;
  const paidHere = records
    .filter((i) => i.kind === 'payment' && !reflected(i))
    .reduce((sum, i) => sum + Number(i.body.amount), 0);
  const visits = records.filter((i) => i.kind === 'visit');
  const owed = Number(fromSync ? synced.amount_due : stop.amount_due.total);
  const settledOnServer = fromSync ? Number(synced.principal) <= 0 : stop.settled;
  const due = Math.max(0, owed - paidHere);
  return {
    stop,
    settled: settledOnServer || paidHere >= owed,
    due: due.toFixed(2),
    paidHere: paidHere.toFixed(2),
    lastOutcome: visits.length ? visits[visits.length - 1].body.outcome : null,
  };
}

export function stops() {
  return (state.pack?.stops || []).map(stopView);
}

export function waitingCount() {
  return state.outbox.filter((i) => i.state === 'waiting').length;
}

/** Cash in hand: the server's figure at the last sync plus field cash not yet sent. */
export function cashInHand() {
  const unsent = state.outbox
    .filter((i) => i.kind === 'payment' && i.state === 'waiting' && i.body.channel === 'field_cash')
    .reduce((sum, i) => sum + Number(i.body.amount), 0);
  return (Number(state.cashServer || 0) + unsent).toFixed(2);
}
