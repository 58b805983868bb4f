// The supervisor's page: log in, then the station's map with its layers, legend and cards.
import {ApiError, allFeatures, get, login, logout, refresh} from './api.js';
import {showCard} from './card.js';
import {ARREARS_STEPS, OUTCOME_COLORS, ROAD_COLORS, collectorColors} from './colors.js';
import {h, clear} from './dom.js';
import {OUTCOME, T} from './i18n.js';
import {
  addBaseLayers, createMap, pointBounds, setGroupVisible, territoryFeatures, villageLabels,
  villagePoints,
} from './map.js';
import {addReviewLayers, createReview, showReviewLayers} from './review.js';
import {showKpis} from './kpis.js';
import {addEditLayers, createTerritoryEdit} from './territory.js';
import {addDayLayers, startToday} from './today.js';

document.title = T.title;
const $ = (sel) => document.querySelector(sel);
// The page's state, also read by the browser tests (window.dashboard).
const state = (window.dashboard = {map: null, me: null, station: null, ready: false});

function showLogin(message) {
  $('#app').hidden = true;
  const form = $('#login');
  form.hidden = false;
  $('#login-error').textContent = message || '';
}

async function onLogin(event) {
  event.preventDefault();
  const form = event.target;
  try {
    await login(form.username.value, form.password.value);
  } catch (err) {
    showLogin(err instanceof ApiError && err.status === 429 ? T.loginThrottled : T.loginFailed);
    return;
  }
  form.password.value = '';
  await start();
}

async function onLogout() {
  await logout();
  location.reload();
}

function legend(colors, names) {
  const steps = ARREARS_STEPS.map(([bound, color], i) => {
    const next = ARREARS_STEPS[i + 1];
    const label = bound === 0 ? T.noArrears : next ? `${Math.ceil(bound)}–${next[0]}` : `≥ ${bound}`;
    return h('li', {}, h('i', {class: 'dot', style: `background:${color}`}), label);
  });
  const collectors = [...colors].map(([id, color]) =>
    h('li', {}, h('i', {class: 'swatch', style: `background:${color}`}), names.get(id) || `#${id}`));
  const outcomes = Object.entries(OUTCOME_COLORS).map(([name, color]) =>
    h('li', {}, h('i', {class: 'dot ring', style: `background:${color}`}), OUTCOME[name] || T.pending));
  const roads = [['major', T.roadMajor], ['track', T.roadTrack]].map(([kind, label]) =>
    h('li', {}, h('i', {class: 'swatch road', style: `background:${ROAD_COLORS[kind]}`}), label));
  return [
    h('h3', {}, T.layerRoads), h('ul', {class: 'legend roads'}, roads),
    h('h3', {}, T.arrears), h('ul', {class: 'legend'}, steps),
    h('h3', {}, T.responsible), h('ul', {class: 'legend'}, collectors),
    h('h3', {}, T.layerRoutes), h('ul', {class: 'legend'}, outcomes),
  ];
}

function layerSwitch(map, markers) {
  const groups = [
    ['roads', T.layerRoads], ['territories', T.layerTerritories], ['villages', T.layerVillages], ['accounts', T.layerAccounts],
    ['routes', T.layerRoutes], ['positions', T.layerPositions],
  ];
  return groups.map(([group, label]) => h('label', {class: 'switch'},
    h('input', {
      type: 'checkbox', checked: true, name: group,
      onchange: (e) => {
        setGroupVisible(map, group, e.target.checked);
        if (group === 'villages') for (const m of markers) m.getElement().hidden = !e.target.checked;
      },
    }), label));
}

/** The side panel's modes: today (live) or the review of a day's plan. */
function tabs(map) {
  const modes = {today: $('#today'), review: $('#review'), territory: $('#territory')};
  const show = async (mode) => {
    for (const [name, el] of Object.entries(modes)) el.hidden = name !== mode;
    for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.mode === mode);
    for (const group of ['routes', 'positions']) {
      const box = document.querySelector(`#layers input[name=${group}]`);
      setGroupVisible(map, group, mode === 'today' && (!box || box.checked));
    }
    showReviewLayers(map, mode === 'review');
    if (mode !== 'territory') state.territoryEdit.choose(null);
    else $('#territory-select').value = '';
    if (mode === 'review' && !state.reviewLoaded) {
      state.reviewLoaded = true;
      await state.review.load($('#plan-date').value);
    }
  };
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => show(b.dataset.mode));
  show('today');
}

/** The station shown: ?station=<id> when it is one of the user's, else the first. */
function chooseStation(stations) {
  const wanted = Number(new URLSearchParams(location.search).get('station'));
  return stations.find((s) => s.id === wanted) || stations[0];
}

/** With more than one station, a switch in the header: choosing one reloads the page on
 * it (the refresh cookie keeps the session), so every panel starts from that station. */
function stationSwitch(stations, current) {
  const select = $('#station-select');
  select.hidden = stations.length < 2;
  clear(select).append(...stations.map((s) => h('option', {value: String(s.id)}, s.name)));
  if (current) select.value = String(current.id);
  select.onchange = () => {
    const url = new URL(location.href);
    url.searchParams.set('station', select.value);
    location.assign(url);
  };
}

async function start() {
  $('#login').hidden = true;
  $('#app').hidden = false;
  state.me = await get('/api/auth/me');
  // An admin sees every station of the county (GET /api/stations); others their own.
  const stations = state.me.role === 'admin' ? await get('/api/stations') : state.me.stations;
  const station = chooseStation(stations);
  state.station = station;
  state.stations = stations;
  $('#who').textContent = `${station ? station.name : ''} · ${state.me.display_name}`;
  stationSwitch(stations, station);
  const q = station ? `station_id=${station.id}` : '';
  const [workload, territories, accounts] = await Promise.all([
    station ? get(`/api/workload?${q}`) : [],
    allFeatures(`/api/territories.geojson?limit=500&${q}`),
    allFeatures(`/api/accounts.geojson?limit=500&${q}`),
  ]);
  const names = new Map(workload.filter((w) => w.collector_id != null).map((w) => [w.collector_id, w.display_name]));
  const colors = collectorColors([...names.keys()]);
  state.colors = colors;
  const map = (state.map = createMap('map'));
  await map.once('load');
  addBaseLayers(map, colors);
  const villages = villagePoints(accounts);
  map.getSource('territories').setData(territoryFeatures(territories));
  map.getSource('villages').setData(villages);
  map.getSource('accounts').setData(accounts);
  addDayLayers(map, colors, station);
  const markers = villageLabels(map, villages);
  const bounds = pointBounds(accounts);
  if (bounds) map.fitBounds(bounds, {padding: 40, duration: 0});
  clear($('#layers')).append(h('h3', {}, T.layers), ...layerSwitch(map, markers));
  clear($('#legend')).append(...legend(colors, names));
  addReviewLayers(map, colors);
  addEditLayers(map);
  if (station) {
    state.today = startToday(map, station, colors, $('#today'));
    const territoryCollectors = new Map(territories.features.map((f) => [f.properties.id, f.properties.collector_ids || []]));
    const byId = new Map(accounts.features.map((f) => [f.properties.id, f]));
    state.review = createReview($('#review'), {
      map, station, colors, names,
      today: new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Shanghai'}).format(new Date()),
      locations: new Map([...byId].map(([id, f]) => [id, f.geometry.coordinates])),
      label: (id) => (byId.has(id) ? `${byId.get(id).properties.name}（${byId.get(id).properties.number}）` : `#${id}`),
      onAccount: (id) => showCard($('#card'), id),
      eligible: (id) => (byId.has(id) ? territoryCollectors.get(byId.get(id).properties.territory_id) || [] : []),
    });
    state.territoryEdit = createTerritoryEdit($('#territory'), {
      map, territories, names,
      onSaved: async () => {
        const fresh = await allFeatures(`/api/territories.geojson?limit=500&${q}`);
        map.getSource('territories').setData(territoryFeatures(fresh));
      },
    });
    tabs(map);
    showKpis($('#kpis'), station, names).catch((err) => { $('#kpis').textContent = `${T.error}：${err.message}`; });
  }
  map.on('click', (e) => {
    // The top feature under the pointer: a stop of today's routes, else an account.
    const layers = ['plan-stops', 'stops', 'accounts'].filter((id) => map.getLayoutProperty(id, 'visibility') !== 'none');
    const [hit] = map.queryRenderedFeatures(e.point, {layers});
    if (hit) showCard($('#card'), hit.layer.id === 'accounts' ? hit.properties.id : hit.properties.account_id);
  });
  map.on('mouseenter', 'accounts', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'accounts', () => { map.getCanvas().style.cursor = ''; });
  await map.once('idle');
  state.ready = true;
  document.body.dataset.ready = 'map';
}

function labels() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = T[el.dataset.t];
  for (const el of document.querySelectorAll('[data-t-placeholder]')) el.placeholder = T[el.dataset.tPlaceholder];
}

labels();
$('#login').addEventListener('submit', onLogin);
$('#logout').addEventListener('click', onLogout);
// A reload keeps the session: the refresh cookie gives a new access token.
if (await refresh()) await start();
else showLogin();
