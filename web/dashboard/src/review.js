// Plan review: a day's latest plan version, its routes and the accounts left out with their
// reasons; move a stop up or down its route, to another route or out of the plan and see the
// plan check
// (POST /api/plans/{id}/check), then save the edit as a new version and publish it.
import {ApiError, call, get} from './api.js';
import {h, clear} from './dom.js';
import {REASON, T, yuan} from './i18n.js';
import {collectorColor} from './colors.js';

const SHOWN_LEFT_OUT = 8; // accounts listed per reason (the rest counted)

function empty() {
  return {type: 'FeatureCollection', features: []};
}

export function addReviewLayers(map, colors) {
  map.addSource('plan-routes', {type: 'geojson', data: empty()});
  map.addSource('plan-stops', {type: 'geojson', data: empty()});
  const byCollector = collectorColor(colors, 'collector_id');
  map.addLayer({id: 'plan-routes', type: 'line', source: 'plan-routes', layout: {visibility: 'none'},
    paint: {'line-color': byCollector, 'line-width': 3, 'line-opacity': 0.8}});
  map.addLayer({id: 'plan-stops', type: 'circle', source: 'plan-stops', layout: {visibility: 'none'},
    paint: {'circle-radius': 5, 'circle-color': '#ffffff', 'circle-stroke-color': byCollector, 'circle-stroke-width': 2.5}});
}

export function showReviewLayers(map, visible) {
  for (const id of ['plan-routes', 'plan-stops']) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
}

/** The review panel; `ctx` = {map, station, colors, names, locations (account id -> [lon, lat])}. */
export function createReview(panel, ctx) {
  let plan = null; // the version under review (full body)
  let routes = []; // [{collector_id, stops: [account_id]}] with the edits made so far
  let lastCheck = null;
  let checks = 0; // plan checks answered (the tests wait on it)
  const open = new Set(); // the route and reason lists left open across redraws

  function draw() {
    const lines = [];
    const points = [];
    for (const r of routes) {
      const coords = r.stops.map((a) => ctx.locations.get(a)).filter(Boolean);
      if (coords.length > 1) lines.push({type: 'Feature', geometry: {type: 'LineString', coordinates: coords}, properties: {collector_id: r.collector_id}});
      r.stops.forEach((a, i) => {
        const c = ctx.locations.get(a);
        if (c) points.push({type: 'Feature', geometry: {type: 'Point', coordinates: c}, properties: {collector_id: r.collector_id, account_id: a, seq: i + 1}});
      });
    }
    // Unedited, the optimiser's road paths; once edited, straight lines between the stops.
    const paths = edited() ? lines : plan.routes.filter((r) => r.path).map((r) => ({type: 'Feature', geometry: r.path, properties: {collector_id: r.collector_id}}));
    ctx.map.getSource('plan-routes').setData({type: 'FeatureCollection', features: paths});
    ctx.map.getSource('plan-stops').setData({type: 'FeatureCollection', features: points});
  }

  function edited() {
    return JSON.stringify(routes) !== JSON.stringify(asEdits(plan));
  }

  function asEdits(p) {
    return p.routes.map((r) => ({collector_id: r.collector_id, stops: r.stops.map((s) => s.account_id)}));
  }

  function body() {
    return routes.map((r) => ({collector_id: r.collector_id, stops: r.stops.map((a) => ({account_id: a}))}));
  }

  async function move(accountId, target) {
    for (const r of routes) r.stops = r.stops.filter((a) => a !== accountId);
    if (target !== 'out') routes.find((r) => r.collector_id === Number(target)).stops.push(accountId);
    await edit();
  }

  /** Swap stop i of route r with its neighbour (delta -1: the one before, +1: after). */
  async function reorder(r, i, delta) {
    const j = i + delta;
    if (j < 0 || j >= r.stops.length) return;
    [r.stops[i], r.stops[j]] = [r.stops[j], r.stops[i]];
    await edit();
  }

  /** Redraw after an edit and ask for the plan check of the edited routes. */
  async function edit() {
    render();
    draw();
    try {
      lastCheck = (await call(`/api/plans/${plan.id}/check`, {method: 'POST', body: body()})).body;
    } catch (err) {
      lastCheck = {error: err};
    }
    checks += 1;
    renderCheck();
  }

  /** Routes an account may join: its territory's collectors with a route, but `except`. */
  function targets(accountId, except) {
    const eligible = new Set(ctx.eligible(accountId));
    return routes.filter((r) => r.collector_id !== except && eligible.has(r.collector_id))
      .map((r) => h('option', {value: String(r.collector_id)}, ctx.names.get(r.collector_id) || `#${r.collector_id}`));
  }

  function stopRow(r, accountId, i) {
    const options = [h('option', {value: ''}, T.moveTo), ...targets(accountId, r.collector_id), h('option', {value: 'out'}, T.outOfPlan)];
    return h('li', {dataset: {accountId: String(accountId)}},
      h('span', {class: 'seq'}, `${i + 1}.`),
      h('a', {href: '#', onclick: (e) => { e.preventDefault(); ctx.onAccount(accountId); }}, ctx.label(accountId)),
      h('button', {type: 'button', class: 'up', title: T.moveUp, disabled: i === 0, onclick: () => reorder(r, i, -1)}, '↑'),
      h('button', {type: 'button', class: 'down', title: T.moveDown, disabled: i === r.stops.length - 1, onclick: () => reorder(r, i, 1)}, '↓'),
      h('select', {class: 'move', onchange: (e) => e.target.value && move(accountId, e.target.value)}, options));
  }

  function keepOpen(key, isOpen) {
    if (isOpen) open.add(key);
    else open.delete(key);
  }

  function renderRoutes() {
    const byCollector = new Map(plan.routes.map((r) => [r.collector_id, r]));
    return routes.map((r) => {
      const orig = byCollector.get(r.collector_id);
      return h('details', {class: 'route', open: open.has(`r${r.collector_id}`), ontoggle: (e) => keepOpen(`r${r.collector_id}`, e.target.open), dataset: {collectorId: String(r.collector_id), stops: String(r.stops.length)}},
        h('summary', {},
          h('i', {class: 'swatch', style: `background:${ctx.colors.get(r.collector_id) || '#888'}`}),
          ` ${ctx.names.get(r.collector_id) || `#${r.collector_id}`} · ${r.stops.length} ${T.stops}`,
          orig ? ` · ${T.expected} ${yuan(orig.expected_value)} · ${T.travel} ${Math.round(orig.travel_seconds / 60)}′` : ''),
        h('ol', {class: 'stops'}, r.stops.map((a, i) => stopRow(r, a, i))));
    });
  }

  function renderLeftOut() {
    const left = plan.summary.unassigned || [];
    const planned = new Set(routes.flatMap((r) => r.stops));
    const byReason = new Map();
    for (const u of left) byReason.set(u.reason, [...(byReason.get(u.reason) || []), u]);
    return [h('h3', {}, `${T.unassigned}（${left.length}）`),
      ...[...byReason].map(([reason, list]) => h('details', {class: 'left-out', open: open.has(reason), ontoggle: (e) => keepOpen(reason, e.target.open), dataset: {reason, count: String(list.length)}},
        h('summary', {title: (plan.summary.reasons || {})[reason] || ''}, `${REASON[reason] || reason}：${list.length}`),
        h('p', {class: 'small'}, (plan.summary.reasons || {})[reason] || ''),
        h('ul', {class: 'stops'}, list.slice(0, SHOWN_LEFT_OUT).map((u) => h('li', {dataset: {accountId: String(u.account_id)}},
          h('a', {href: '#', onclick: (e) => { e.preventDefault(); ctx.onAccount(u.account_id); }}, ctx.label(u.account_id)),
          ` ¥${(u.prize_fen / 100).toFixed(2)}`,
          planned.has(u.account_id) ? null : h('select', {class: 'add', onchange: (e) => e.target.value && move(u.account_id, e.target.value)},
            h('option', {value: ''}, T.addTo), ...targets(u.account_id, null))))),
        list.length > SHOWN_LEFT_OUT ? h('p', {class: 'small'}, `… ${list.length - SHOWN_LEFT_OUT}`) : null))];
  }

  function renderCheck() {
    const box = panel.querySelector('#check');
    clear(box);
    box.dataset.checks = String(checks);
    delete box.dataset.error;
    if (!lastCheck) return;
    if (lastCheck.error) {
      const err = lastCheck.error;
      box.dataset.error = String(err.status || 'error');
      const details = JSON.stringify(err.problem?.errors || {}).match(/"([^"\]]+)"\]/g) || [];
      box.append(h('h3', {}, T.check), h('div', {class: 'verdict bad'}, err.message),
        h('ul', {class: 'small'}, details.map((d) => h('li', {}, d.slice(1, -2)))));
      return;
    }
    const c = lastCheck;
    box.dataset.feasible = String(c.feasible);
    box.dataset.violations = String(c.violations);
    box.dataset.delta = c.value.delta;
    box.append(
      h('h3', {}, T.check),
      h('div', {class: `verdict ${c.feasible ? 'ok' : 'bad'}`}, c.feasible ? T.feasible : T.infeasible,
        c.violations ? ` · ${T.violations} ${c.violations}` : ''),
      h('div', {class: 'small'}, `${T.valueDelta} ${yuan(c.value.delta)}（${yuan(c.value.baseline)} → ${yuan(c.value.edited)}）`),
      h('ul', {class: 'small'}, c.warnings.map((w) => h('li', {}, w))),
    );
  }

  async function publish() {
    const status = panel.querySelector('#publish-status');
    let target = plan.id;
    try {
      if (edited()) {
        const {body: saved} = await call(`/api/plans/${plan.id}/routes`, {method: 'PUT', body: body()});
        target = saved.plan_id;
      }
      const reason = panel.querySelector('#override').value.trim();
      await call(`/api/plans/${target}/publish`, {method: 'POST', body: reason ? {override_reason: reason} : {}});
      await load(plan.plan_date);
      status.textContent = `${T.publishedOk}：${T.version} ${plan.version}`;
      status.dataset.published = String(plan.id);
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : String(err);
      if (err.status === 409) panel.querySelector('#override').hidden = false;
    }
  }

  function render() {
    const list = panel.querySelector('#review-body');
    clear(list);
    if (!plan) {
      list.append(h('p', {class: 'small'}, T.noPlanForDay));
      return;
    }
    list.dataset.planId = String(plan.id);
    list.append(
      h('div', {class: 'small plan-head'}, `${T.version} ${plan.version} · ${T[plan.status] || plan.status}${edited() ? ` · ${T.edited}` : ''}`),
      h('h3', {}, T.routes), ...renderRoutes(), ...renderLeftOut());
  }

  async function load(date) {
    const versions = await get(`/api/stations/${ctx.station.id}/plans?date=${date}`);
    lastCheck = null;
    if (!versions.length) {
      plan = null;
      routes = [];
      render();
      renderCheck();
      ctx.map.getSource('plan-routes').setData(empty());
      ctx.map.getSource('plan-stops').setData(empty());
      return;
    }
    const latest = versions.reduce((a, b) => (b.version > a.version ? b : a));
    plan = await get(`/api/plans/${latest.id}`);
    routes = asEdits(plan);
    render();
    renderCheck();
    draw();
  }

  clear(panel).append(
    h('label', {class: 'kv'}, h('span', {class: 'k'}, T.planDate),
      h('input', {type: 'date', id: 'plan-date', value: ctx.today, onchange: (e) => load(e.target.value)})),
    h('div', {id: 'review-body'}),
    h('div', {id: 'check'}),
    h('input', {id: 'override', placeholder: T.overrideReason, hidden: true}),
    h('button', {type: 'button', id: 'publish', onclick: publish}, T.saveAndPublish),
    h('p', {id: 'publish-status', class: 'small'}));
  return {load};
}
