// The phone's store: IndexedDB, so that nothing recorded is lost when the app closes or
// the battery dies. Two object stores: `kv` (the day's pack, cursors, receipt blocks,
// settings) and `outbox` (every visit and payment, keyed by the UUID minted when it was
// recorded, with its sending state).

const NAME = 'arrears-collector';
const VERSION = 1;
let opened = null;

export function openDb() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('kv');
        const outbox = db.createObjectStore('outbox', {keyPath: 'id'});
        outbox.createIndex('state', 'state');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opened;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

function result(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function get(key) {
  const db = await openDb();
  return result(db.transaction('kv').objectStore('kv').get(key));
}

export async function put(key, value) {
  const db = await openDb();
  const tx = db.transaction('kv', 'readwrite');
  tx.objectStore('kv').put(value, key);
  return done(tx);
}

export async function outboxAll() {
  const db = await openDb();
  const items = await result(db.transaction('outbox').objectStore('outbox').getAll());
  return items.sort((a, b) => a.seq - b.seq);
}

export async function outboxPut(items) {
  const db = await openDb();
  const tx = db.transaction('outbox', 'readwrite');
  for (const item of items) tx.objectStore('outbox').put(item);
  return done(tx);
}

/** Run `fn(stores)` in one read-write transaction over kv and outbox (all or nothing). */
export async function atomically(fn) {
  const db = await openDb();
  const tx = db.transaction(['kv', 'outbox'], 'readwrite');
  const stores = {kv: tx.objectStore('kv'), outbox: tx.objectStore('outbox'), result};
  const value = await fn(stores);
  await done(tx);
  return value;
}

/** Forget the previous collector's day (another collector logs in on this phone). */
export async function forgetDay() {
  const db = await openDb();
  const tx = db.transaction(['kv', 'outbox'], 'readwrite');
  for (const key of ['pack', 'packEtag', 'cursor', 'accounts', 'receipts', 'cashServer', 'lastSync']) {
    tx.objectStore('kv').delete(key);
  }
  tx.objectStore('outbox').clear();
  return done(tx);
}
