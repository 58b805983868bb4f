// The account card: amount due with its bills, last visits, responsible collector and
// how far the mapped location can be trusted (GET /api/accounts/{id}/card).
import {get} from './api.js';
import {h, clear} from './dom.js';
import {LOCATION, OUTCOME, STAGE, T, yuan} from './i18n.js';

const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short',
});

function row(label, value, attrs = {}) {
  return h('div', {class: 'kv'}, h('span', {class: 'k'}, label), h('span', {class: 'v', ...attrs}, value));
}

export async function showCard(panel, accountId) {
  clear(panel).append(h('p', {}, T.loading));
  panel.hidden = false;
  const card = await get(`/api/accounts/${accountId}/card`);
  const {account, due} = card;
  const q = card.location_check;
  clear(panel).append(
    h('header', {},
      h('h2', {}, account.name),
      h('button', {type: 'button', class: 'close', 'aria-label': T.close, onclick: () => { panel.hidden = true; }}, '×')),
    h('div', {class: 'card', dataset: {accountId: String(account.id)}},
      row(T.accountNumber, account.number),
      row(T.address, account.address),
      row(T.amountDue, yuan(due.net), {class: 'v amount-due', 'data-amount': due.net}),
      h('div', {class: 'small'},
        `${T.principal} ${yuan(due.principal)} · ${T.lateFee} ${yuan(due.late_fee)} · ${T.credit} ${yuan(due.credit)}`),
      row(T.stage, STAGE[due.stage] || due.stage),
      row(T.responsible, card.responsible ? card.responsible.display_name : T.nobody, {class: 'v responsible'}),
      row(T.locationQuality, LOCATION[q.status] || q.status, {class: `v location ${q.status}`}),
      q.fixes ? h('div', {class: 'small'}, `${T.fixes} ${q.fixes} · ${T.nearestFix} ${q.nearest_fix_m} ${T.metres}`) : null,
      account.location_quality === 'approximate'
        ? h('div', {class: 'small location-approximate'}, T.approximateLocation) : null,
      h('h3', {}, `${T.bills}（${due.bills.length}）`),
      due.bills.length
        ? h('table', {class: 'bills'},
          h('thead', {}, h('tr', {}, h('th', {}, T.period), h('th', {}, T.daysOverdue), h('th', {}, T.total))),
          h('tbody', {}, due.bills.map((b) => h('tr', {},
            h('td', {}, b.period.slice(0, 7)), h('td', {}, b.days_overdue), h('td', {class: 'num'}, b.total)))))
        : h('p', {class: 'small'}, T.noArrears),
      h('h3', {}, T.lastVisits),
      card.visits.length
        ? h('ul', {class: 'visits'}, card.visits.map((v) => h('li', {},
          `${TIME.format(new Date(v.at))} ${v.collector_name} · ${OUTCOME[v.outcome] || v.outcome}`,
          v.promise_date ? `（${v.promise_date}）` : null)))
        : h('p', {class: 'small'}, T.noVisits)),
  );
}
