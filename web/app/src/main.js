// The collector's app: routes between screens, records at the door, syncs when it can.

import * as api from './api.js';
import * as db from './db.js';
import {fetchPack, topUpReceipts} from './data.js';
import {NoReceiptNumbers, recordPayment, recordVisit} from './outbox.js';
import {currentFix} from './position.js';
import {replan} from './replan.js';
import {load, state} from './state.js';
import {T} from './strings.js';
import {syncAll} from './sync.js';
import {show, toast} from './ui.js';
import {cardScreen, outcomeScreen} from './views/card.js';
import {listScreen} from './views/list.js';
import {loginScreen} from './views/login.js';
import {mapScreen} from './views/map.js';
import {outboxScreen} from './views/outbox.js';
import {payScreen, receiptScreen} from './views/pay.js';
import {replanScreen} from './views/replan.js';

let syncing = null;
// The refresh cookie is gone or spent: ask for the password again, keep every record.
let loginAgain = false;

const app = {
  async login(username, password) {
    if (!navigator.onLine) throw new Error(T.loginNeedsNetwork);
    let me;
    try {
      me = await api.login(username, password, state.deviceId);
    } catch (err) {
      throw new Error(err instanceof api.Offline ? T.loginNeedsNetwork : T.loginFailed);
    }
    if (state.user && state.user.id !== me.id && state.outbox.some((i) => i.state === 'waiting')) {
      await api.logout();
      throw new Error(T.otherUserWaiting);
    }
    if (state.user && state.user.id !== me.id) await db.forgetDay();
    loginAgain = false;
    state.user = {id: me.id, username: me.username, name: me.display_name};
    await db.put('user', state.user);
    await this.sync();
    location.hash = '#/';
  },

  /** One sync at a time; a second press waits for the running one. */
  sync() {
    syncing ??= this._sync().finally(() => (syncing = null));
    return syncing;
  },

  async _sync() {
    if (!state.user) return;
    document.body.dataset.sync = 'running';
    try {
      await syncAll(state.user, state.deviceId);
      toast(T.synced);
      document.body.dataset.sync = 'done';
    } catch (err) {
      document.body.dataset.sync = 'failed';
      if (err instanceof api.LoggedOut) loginAgain = true;  // the outbox stays on the phone
      else toast(err instanceof api.Offline ? T.offline : err.message);
    }
    await refresh();
  },

  async nobodyHome(stop) {
    await this.outcome(stop, 'nobody_home');
  },

  async outcome(stop, outcome, promiseDate = null) {
    const fix = await currentFix(1500);
    await recordVisit(state.deviceId, stop.account.id, outcome, {fix, promiseDate});
    toast(`${T.outcomes[outcome]} · ${T.recorded}`);
    await refresh();
    location.hash = '#/';
    this.syncSoon();
  },

  async pay(stop, amount, method, due, qrRef = null) {
    const fix = await currentFix(1500);
    try {
      const item = await recordPayment(state.deviceId, stop, amount, method, {
        fix, due, qrRef, collector: state.user.name || state.user.username,
      });
      await refresh();
      location.hash = `#/receipt/${item.id}`;
      this.syncSoon();
    } catch (err) {
      if (err instanceof NoReceiptNumbers) toast(T.noReceiptNumbers);
      else throw err;
    }
  },

  async replan() {
    location.hash = '#/replan';
  },

  /** Send in the background when the phone believes it is online. */
  syncSoon() {
    if (navigator.onLine) setTimeout(() => this.sync(), 200);
  },
};

async function refresh() {
  await load();
  render();
}

function render() {
  const [, name, arg] = (location.hash || '#/').split('/');
  if (!state.user) return show(...loginScreen(app));
  if (loginAgain) return show(...loginScreen(app, T.loggedOutSync));
  const screens = {
    '': () => listScreen(app),
    stop: () => cardScreen(app, arg),
    outcome: () => outcomeScreen(app, arg),
    pay: () => payScreen(app, arg),
    receipt: () => receiptScreen(app, arg),
    outbox: () => outboxScreen(app),
    map: () => mapScreen(app),
    replan: () => replanScreen(app, replan),
  };
  show(...(screens[name || ''] || screens[''])());
}

window.addEventListener('hashchange', render);
window.addEventListener('online', () => app.sync());
window.addEventListener('offline', render);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js', {scope: './'}).catch(() => {});
}

await refresh();
document.body.dataset.ready = 'true';
if (state.user && navigator.onLine) app.sync();

// Exposed for the browser tests and for debugging on a phone.
window.collectorApp = {app, state, db, fetchPack, topUpReceipts};
