// The re-plan screen: asks the server, then shows the new order and what was dropped.

import {T} from '../strings.js';
import {h} from '../ui.js';

export function replanScreen(app, replan) {
  const status = h('p', {id: 'replan-status'}, T.replanning);
  const out = h('div', {id: 'replan-result'});
  replan((text) => (status.textContent = text))
    .then(({stops, dropped}) => {
      status.textContent = T.replanDone;
      out.replaceChildren(
        h('ol', {class: 'stops'}, stops.map((s) => h('li', {}, `${s.seq}. ${s.account.name}`))),
        h('h2', {}, T.dropped),
        h('ul', {}, dropped.length ? dropped.map((d) => h('li', {}, `${d.name}：${d.why}`)) : h('li', {}, T.none)),
      );
    })
    .catch((err) => (status.textContent = err.message));
  return [h('a', {class: 'back', href: '#/'}, `‹ ${T.back}`), h('h1', {}, T.replan), status, out];
}
