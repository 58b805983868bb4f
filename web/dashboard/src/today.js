// Today: the published routes in their collectors' colours, stops by outcome and the last
// positions (vector tiles), and each collector's progress (GET /api/stations/{id}/progress),
// refreshed every 30 s with If-None-Match: an unchanged day is a 304 and nothing reloads.
import {call} from './api.js';
import {OUTCOME_COLORS, collectorColor} from './colors.js';
import {h, clear} from './dom.js';
import {T, yuan} from './i18n.js';

export const REFRESH_MS = 30_000;
const DAY_LAYERS = {routes: 0, stops: 10, positions: 0}; // tile layer -> its minzoom

// The station shown (?station_id=): an admin, who may see the county, sees this station's day.
let shownStation = null;

function tileUrl(layer) {
  const query = shownStation ? `?station_id=${shownStation.id}` : '';
  return `${location.origin}/api/tiles/${layer}/{z}/{x}/{y}.mvt${query}`;
}

export function addDayLayers(map, colors, station) {
  shownStation = station || null;
  for (const [layer, minzoom] of Object.entries(DAY_LAYERS)) {
    map.addSource(`day-${layer}`, {type: 'vector', tiles: [tileUrl(layer)], minzoom, maxzoom: 16});
  }
  const byCollector = collectorColor(colors, 'collector_id');
  map.addLayer({
    id: 'routes', type: 'line', source: 'day-routes', 'source-layer': 'routes',
    layout: {'line-join': 'round', 'line-cap': 'round'},
    paint: {
      // Roads drawn solid; straight legs (no road network there) lighter.
      'line-color': byCollector, 'line-width': 3,
      'line-opacity': ['case', ['==', ['get', 'geometry'], 'straight'], 0.55, 0.9],
    },
  });
  const outcome = ['match', ['coalesce', ['get', 'outcome'], 'pending']];
  for (const [name, color] of Object.entries(OUTCOME_COLORS)) outcome.push(name, color);
  outcome.push(OUTCOME_COLORS.pending);
  map.addLayer({
    id: 'stops', type: 'circle', source: 'day-stops', 'source-layer': 'stops',
    paint: {'circle-radius': 6, 'circle-color': outcome, 'circle-stroke-color': byCollector, 'circle-stroke-width': 2.5},
  });
  map.addLayer({
    id: 'positions', type: 'circle', source: 'day-positions', 'source-layer': 'positions',
    paint: {'circle-radius': 9, 'circle-color': byCollector, 'circle-stroke-color': '#000000', 'circle-stroke-width': 2},
  });
}

function reloadDayTiles(map) {
  // Same URLs: the browser revalidates each tile with its ETag (304 when unchanged).
  for (const layer of Object.keys(DAY_LAYERS)) map.getSource(`day-${layer}`).setTiles([tileUrl(layer)]);
}

function delay(seconds) {
  if (seconds == null || Math.abs(seconds) < 60) return null;
  const m = Math.round(Math.abs(seconds) / 60);
  return `${seconds > 0 ? T.late : T.early} ${m} ${T.minutes}`;
}

function progressRows(progress, colors) {
  if (progress.plan_id == null) return [h('p', {class: 'small'}, T.noPlan)];
  return progress.routes.map((r) => {
    const share = r.stops_total ? Math.round((100 * r.stops_done) / r.stops_total) : 0;
    return h('div', {
      class: 'progress-row',
      dataset: {collectorId: String(r.collector_id), done: String(r.stops_done), total: String(r.stops_total)},
    },
    h('div', {class: 'kv'},
      h('span', {}, h('i', {class: 'swatch', style: `background:${colors.get(r.collector_id) || '#888'}`}), ` ${r.collector_name}`),
      h('span', {class: 'count'}, `${r.stops_done}/${r.stops_total}`)),
    h('div', {class: 'bar'}, h('div', {style: `width:${share}%;background:${colors.get(r.collector_id) || '#888'}`})),
    h('div', {class: 'small'}, `${T.collected} ${yuan(r.collected_total)}`, delay(r.delay_seconds) ? ` · ${delay(r.delay_seconds)}` : ''));
  });
}

/** Start the day view: draw it now, then poll every 30 s; answers {refresh, stop}. */
export function startToday(map, station, colors, panel) {
  let timer = null;
  // The day's tiles were just requested with the layers: reloading them on the first
  // answer only restarted their loads mid-way (and MapLibre then may never go idle).
  let first = true;
  async function refresh() {
    clearTimeout(timer);
    try {
      const {body, unchanged} = await call(`/api/stations/${station.id}/progress`);
      if (!unchanged) {
        clear(panel).append(h('h3', {}, `${T.progress}（${body.date}）`), ...progressRows(body, colors));
        if (!first) reloadDayTiles(map);
      }
      first = false;
      panel.dataset.refreshes = String(Number(panel.dataset.refreshes || 0) + 1);
      return unchanged ? 304 : 200;
    } finally {
      timer = setTimeout(refresh, REFRESH_MS);
    }
  }
  refresh();
  return {refresh, stop: () => clearTimeout(timer)};
}
