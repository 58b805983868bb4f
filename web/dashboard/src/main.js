// The supervisor's page: log in, then the station's map with its layers, legend and cards.
import {ApiError, allFeatures, get, login, logout, refresh} from './api.js';
import {showCard} from './card.js';
import {ARREARS_STEPS, OUTCOME_COLORS, collectorColors} from './colors.js';
import {h, clear} from './dom.js';
import {OUTCOME, T} from './i18n.js';
import {
  addBaseLayers, createMap, pointBounds, setGroupVisible, territoryFeatures, villageLabels,
  villagePoints,
} from './map.js';
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
  return [
    h('h3', {}, T.arrears), h('ul', {class: 'legend'}, steps),
    h('h3', {}, T.responsible), h('ul', {class: 'legend'}, collectors),
    h('h3', {}, T.layerRoutes), h('ul', {class: 'legend'}, outcomes),
  ];
}

function layerSwitch(map, markers) {
  const groups = [
    ['territories', T.layerTerritories], ['villages', T.layerVillages], ['accounts', T.layerAccounts],
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

async function start() {
  $('#login').hidden = true;
  $('#app').hidden = false;
  state.me = await get('/api/auth/me');
  const station = state.me.stations[0];
  state.station = station;
  $('#who').textContent = `${station ? station.name : ''} · ${state.me.display_name}`;
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
  addDayLayers(map, colors);
  const markers = villageLabels(map, villages);
  const bounds = pointBounds(accounts);
  if (bounds) map.fitBounds(bounds, {padding: 40, duration: 0});
  clear($('#layers')).append(h('h3', {}, T.layers), ...layerSwitch(map, markers));
  clear($('#legend')).append(...legend(colors, names));
  if (station) state.today = startToday(map, station, colors, $('#today'));
  map.on('click', (e) => {
    // The top feature under the pointer: a stop of today's routes, else an account.
    const layers = ['stops', 'accounts'].filter((id) => map.getLayoutProperty(id, 'visibility') !== 'none');
    const [hit] = map.queryRenderedFeatures(e.point, {layers});
    if (hit) showCard($('#card'), hit.layer.id === 'stops' ? hit.properties.account_id : hit.properties.id);
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
