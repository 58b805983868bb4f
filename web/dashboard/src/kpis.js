// The station's KPIs beside the map (GET /api/kpis/collection, /month-end, /promises,
// /field-work and /ageing, this month; definitions in docs/kpis.md) and a link to each export (GET /api/exports/{table}?format=csv|xlsx). Exports need the
// token, so a link fetches the file and hands the browser a download.
import {authHeaders, call} from './api.js';
import {h, clear} from './dom.js';
import {AGE_BUCKETS, EXPORTS, T, yuan} from './i18n.js';

function figure(label, value, key, raw) {
  return h('div', {class: 'kv'}, h('span', {class: 'k'}, label), h('span', {class: 'v', dataset: {kpi: key, value: raw}}, value));
}

async function download(table, format, station) {
  const resp = await fetch(`/api/exports/${table}?format=${format}&station_id=${station.id}`, {headers: authHeaders()});
  if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
  const name = (resp.headers.get('Content-Disposition') || '').match(/filename="?([^";]+)"?/)?.[1] || `${table}.${format}`;
  const url = URL.createObjectURL(await resp.blob());
  const a = h('a', {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function cell(key, value, shown) {
  return h('td', {dataset: {kpi: key, value: value ?? ''}}, shown ?? (value == null ? '—' : String(value)));
}

function percent(share) {
  return share == null ? '—' : `${(Number(share) * 100).toFixed(0)}%`;
}

/** Promises falling due this month: kept, broken, pending (and made this month). */
function promiseFigures(p) {
  return [
    h('h3', {}, T.promises),
    ...['made', 'due', 'kept', 'broken', 'pending'].map((k) =>
      figure(T[`promises_${k}`], String(p[k]), `promises.${k}`, String(p[k]))),
  ];
}

/** Field work per collector: visits (and nobody home), yuan taken in the field, km. */
function fieldWork(rows, names) {
  const head = h('tr', {}, ...[T.collector, T.visits, T.nobodyHome, T.fieldYuan, T.km].map((t) => h('th', {}, t)));
  const body = rows.map((r) => h('tr', {dataset: {collector: String(r.collector_id)}},
    h('td', {}, names.get(r.collector_id) || `#${r.collector_id}`),
    cell('visits', String(r.visits)),
    cell('nobody_home_rate', r.nobody_home_rate, percent(r.nobody_home_rate)),
    cell('yuan', r.yuan),
    cell('km', r.km, Number(r.km).toFixed(1))));
  return [
    h('h3', {}, T.fieldWork),
    rows.length ? h('table', {class: 'kpi field-work'}, h('thead', {}, head), h('tbody', {}, body)) : h('p', {}, T.noFieldWork),
  ];
}

/** Ageing as of today: owed principal and accounts by days past due, and the yuan's change
 * since the month's start. */
function ageing(a) {
  const head = h('tr', {}, ...[T.ageBucket, T.yuan, T.accountsShort, T.sinceMonthStart].map((t) => h('th', {}, t)));
  const body = Object.entries(AGE_BUCKETS).map(([key, label]) => {
    const now = a.now.buckets[key] || {yuan: '0.00', accounts: 0};
    const change = a.change.buckets[key] || {yuan: '0.00'};
    return h('tr', {dataset: {bucket: key}}, h('td', {}, label),
      cell('yuan', now.yuan), cell('accounts', String(now.accounts)), cell('change', change.yuan));
  });
  return [h('h3', {}, T.ageing), h('table', {class: 'kpi ageing'}, h('thead', {}, head), h('tbody', {}, body))];
}

export async function showKpis(panel, station, names = new Map()) {
  const q = `station_id=${station.id}`;
  // One failing figure leaves the others shown: each section says its own error.
  const body = (path) => call(`${path}?${q}`).then((r) => r.body, (err) => ({error: err}));
  const [collection, monthEnd, promises, field, aged] = await Promise.all(
    ['collection', 'month-end', 'promises', 'field-work', 'ageing'].map((k) => body(`/api/kpis/${k}`)));
  for (const first of [collection, monthEnd]) if (first.error) throw first.error;
  const section = (title, answer, draw) => (answer.error
    ? [h('h3', {}, title), h('p', {class: 'error'}, `${T.error}：${answer.error.message}`)]
    : draw(answer));
  const line = collection.lines[0] || {};
  const rate = line.rate == null ? '—' : `${(Number(line.rate) * 100).toFixed(1)}%`;
  const links = Object.entries(EXPORTS).map(([table, label]) => h('li', {},
    `${label} `,
    ...['csv', 'xlsx'].map((format) => h('a', {
      href: '#', class: 'export', dataset: {table, format},
      onclick: (e) => { e.preventDefault(); download(table, format, station); },
    }, format.toUpperCase(), ' '))));
  clear(panel).append(
    h('h3', {}, `${T.kpis}（${collection.period.date_from.slice(0, 7)}）`),
    figure(T.collectionRate, rate, 'rate', line.rate ?? ''),
    figure(T.collectedMonth, yuan(line.collected), 'collected', line.collected),
    figure(T.opening, yuan(line.opening), 'opening', line.opening),
    figure(T.owingNow, yuan(monthEnd.owing), 'owing', monthEnd.owing),
    figure(T.owingAccounts, String(monthEnd.accounts), 'accounts', String(monthEnd.accounts)),
    figure(T.daysLeft, String(monthEnd.days_left), 'days_left', String(monthEnd.days_left)),
    figure(T.perDayNeeded, yuan(monthEnd.per_day_needed), 'per_day_needed', monthEnd.per_day_needed),
    ...section(T.promises, promises, promiseFigures),
    ...section(T.fieldWork, field, (f) => fieldWork(f.collectors, names)),
    ...section(T.ageing, aged, ageing),
    h('h3', {}, T.exports),
    h('ul', {class: 'legend exports'}, links));
}
