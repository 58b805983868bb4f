// The station's KPIs beside the map (GET /api/kpis/collection and /month-end, this month)
// and a link to each export (GET /api/exports/{table}?format=csv|xlsx). Exports need the
// token, so a link fetches the file and hands the browser a download.
import {authHeaders, call} from './api.js';
import {h, clear} from './dom.js';
import {EXPORTS, T, yuan} from './i18n.js';

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

export async function showKpis(panel, station) {
  const q = `station_id=${station.id}`;
  const [{body: collection}, {body: monthEnd}] = await Promise.all([
    call(`/api/kpis/collection?${q}`), call(`/api/kpis/month-end?${q}`),
  ]);
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
    h('h3', {}, T.exports),
    h('ul', {class: 'legend exports'}, links));
}
