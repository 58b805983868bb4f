// One account's card: who, where, what is owed by bill, history, and the door's buttons.

import {state, stopView} from '../state.js';
import {T} from '../strings.js';
import {h, localTime, money} from '../ui.js';

export function findStop(accountId) {
  return (state.pack?.stops || []).find((s) => String(s.account.id) === String(accountId));
}

function bills(stop) {
  const rows = stop.amount_due.bills || [];
  return h('table', {class: 'bills'},
    h('thead', {}, h('tr', {}, h('th', {}, T.period), h('th', {}, T.principal),
      h('th', {}, T.lateFee), h('th', {}, T.total))),
    h('tbody', {}, rows.map((b) => h('tr', {},
      h('td', {}, b.period.slice(0, 7)), h('td', {}, money(b.principal)),
      h('td', {}, money(b.late_fee)), h('td', {}, money(b.total))))),
    h('tfoot', {}, h('tr', {}, h('th', {}, T.total), h('td', {}, money(stop.amount_due.principal)),
      h('td', {}, money(stop.amount_due.late_fee)), h('th', {}, money(stop.amount_due.total)))),
  );
}

function history(stop) {
  const hist = stop.history || {};
  return h('dl', {class: 'history'},
    h('dt', {}, T.visits), h('dd', {}, hist.visits ?? 0),
    h('dt', {}, T.lastVisit), h('dd', {}, hist.last_visit_at ? localTime(hist.last_visit_at) : T.none),
    h('dt', {}, T.lastOutcome), h('dd', {}, T.outcomes[hist.last_outcome] || T.none),
    h('dt', {}, T.promise), h('dd', {}, hist.last_promise_date || T.none),
  );
}

export function cardScreen(app, accountId) {
  const stop = findStop(accountId);
  if (!stop) return [h('p', {}, T.none), h('a', {class: 'button', href: '#/'}, T.back)];
  const view = stopView(stop);
  const a = stop.account;
  return [
    h('a', {class: 'back', href: '#/'}, `‹ ${T.back}`),
    h('section', {class: 'card', id: 'card'},
      h('h1', {}, `${stop.seq}. ${a.name}`),
      h('p', {}, `${T.account} ${a.number}`),
      h('p', {}, `${T.address}：${a.address}`),
      a.phone ? h('p', {}, `${T.phone}：`, h('a', {href: `tel:${a.phone}`}, a.phone)) : null,
      a.notes ? h('p', {class: 'notes', id: 'notes'}, `${T.notes}：${a.notes}`) : null,
      h('p', {class: 'owed'}, view.settled ? T.settled : `${T.due} ¥${view.due}`),
      bills(stop),
      h('h2', {}, T.history),
      history(stop),
      h('div', {class: 'nav'},
        h('a', {class: 'button', href: stop.navigation.amap, id: 'nav-amap'}, T.navigateAmap),
        h('a', {class: 'button', href: stop.navigation.geo, id: 'nav-geo'}, T.navigateGeo),
      ),
    ),
    h('section', {class: 'door'},
      h('button', {class: 'big', id: 'nobody-home', onclick: (ev) => once(ev, () => app.nobodyHome(stop))}, T.nobodyHome),
      h('button', {class: 'big primary', id: 'collect', onclick: () => (location.hash = `#/pay/${a.id}`)}, T.collect),
      h('button', {class: 'big', id: 'other-outcome', onclick: () => (location.hash = `#/outcome/${a.id}`)}, T.otherOutcome),
    ),
  ];
}

/** The other outcomes, each one more tap (a promise asks for its date first). */
export function outcomeScreen(app, accountId) {
  const stop = findStop(accountId);
  const choices = ['promise', 'refused', 'moved', 'wrong_location', 'paid', 'partial'];
  const date = h('input', {type: 'date', id: 'promise-date', value: tomorrow()});
  return [
    h('a', {class: 'back', href: `#/stop/${accountId}`}, `‹ ${T.back}`),
    h('h1', {}, stop ? stop.account.name : ''),
    h('label', {class: 'field'}, T.promiseDate, date),
    h('div', {class: 'choices'},
      choices.map((outcome) =>
        h('button', {class: 'big', dataset: {outcome},
          onclick: (ev) => once(ev, () => app.outcome(stop, outcome, outcome === 'promise' ? date.value : null))},
        T.outcomes[outcome])),
    ),
  ];
}

/** Run a recording action once: the tapped button stays disabled until it is done. */
function once(ev, action) {
  const button = ev.currentTarget;
  if (button.disabled) return;
  button.disabled = true;
  action().finally(() => (button.disabled = false));
}

function tomorrow() {
  const d = new Date(Date.now() + 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
