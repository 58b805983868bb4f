// The day's stops in route order, with the sync bar on top.

import {state, stops, waitingCount, cashInHand} from '../state.js';
import {T} from '../strings.js';
import {h, localTime} from '../ui.js';

export function statusBar(app) {
  return h(
    'section',
    {class: 'bar', id: 'status'},
    h('div', {class: 'bar-row'},
      h('span', {id: 'net', class: navigator.onLine ? 'on' : 'off'},
        navigator.onLine ? T.online : T.offline),
      h('span', {id: 'waiting'}, T.waiting(waitingCount())),
    ),
    h('div', {class: 'bar-row'},
      h('span', {id: 'last-sync'}, `${T.lastSync}：${state.lastSync ? localTime(state.lastSync) : T.never}`),
      h('span', {id: 'cash'}, `${T.cashInHand} ¥${cashInHand()}`),
    ),
    h('div', {class: 'bar-row buttons'},
      h('button', {id: 'sync', class: 'primary', onclick: () => app.sync()}, T.sync),
      h('a', {class: 'button', href: '#/outbox'}, T.outbox),
      h('a', {class: 'button', href: '#/map'}, T.map),
      h('button', {id: 'replan', onclick: () => app.replan()}, T.replan),
    ),
  );
}

export function listScreen(app) {
  const views = stops();
  const title = state.pack ? `${T.today} ${state.pack.date} · ${views.length}${T.stops}` : T.noRoute;
  return [
    statusBar(app),
    h('h1', {}, title),
    h('ol', {class: 'stops', id: 'stops'},
      views.map((v) =>
        h('li', {class: v.settled ? 'stop settled' : 'stop', dataset: {account: v.stop.account.id}},
          h('a', {href: `#/stop/${v.stop.account.id}`},
            h('span', {class: 'seq'}, v.stop.seq),
            h('span', {class: 'who'},
              h('strong', {}, v.stop.account.name),
              h('small', {}, v.stop.account.village)),
            h('span', {class: 'due'},
              v.settled ? h('em', {class: 'badge ok'}, T.settled) : `¥${v.due}`,
              v.lastOutcome ? h('em', {class: 'badge'}, T.outcomes[v.lastOutcome]) : null),
          ),
        ),
      ),
    ),
  ];
}
