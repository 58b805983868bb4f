// What is waiting to be sent, what was sent, and what the server refused or held, in words.

import {state, waitingCount} from '../state.js';
import {T, reasonWords} from '../strings.js';
import {h, localTime} from '../ui.js';

function names() {
  const byId = {};
  for (const s of state.pack?.stops || []) byId[s.account.id] = s.account.name;
  return byId;
}

export function outboxScreen(app) {
  const who = names();
  const items = [...state.outbox].reverse();
  return [
    h('a', {class: 'back', href: '#/'}, `‹ ${T.back}`),
    h('h1', {}, `${T.outbox} · ${T.waiting(waitingCount())}`),
    h('button', {class: 'big primary', id: 'outbox-sync', onclick: () => app.sync()}, T.sync),
    h('ul', {class: 'outbox', id: 'outbox'},
      items.map((i) => h('li', {class: `item ${i.state}`, dataset: {id: i.id, state: i.state}},
        h('strong', {}, who[i.body.account_id] || `#${i.body.account_id}`),
        h('span', {}, i.kind === 'payment'
          ? `${T.collect} ¥${i.body.amount} · ${i.body.receipt_no}`
          : T.outcomes[i.body.outcome]),
        h('small', {}, `${localTime(i.createdAt)} · ${T.states[i.state]}`),
        i.state === 'rejected' ? h('p', {class: 'reason'}, reasonWords(i.reason)) : null,
        i.state === 'quarantined' ? h('p', {class: 'reason'}, T.heldForSupervisor) : null,
        i.state === 'pending' ? h('p', {class: 'reason pending'}, T.states.pending) : null,
      )),
    ),
  ];
}
