// Territory edit: drag the vertices of a territory's boundary, drag the handle in the middle
// of an edge to add a vertex there, right-click a vertex to remove it; on each change the edit is
// previewed (POST /api/territories/{id}/preview: overlaps with the station's other
// territories and the accounts that change territory, so change collectors), then saved
// with PATCH and the ETag read before (If-Match).
import {call} from './api.js';
import {h, clear} from './dom.js';
import {T} from './i18n.js';

function empty() {
  return {type: 'FeatureCollection', features: []};
}

export function addEditLayers(map) {
  map.addSource('edit-area', {type: 'geojson', data: empty()});
  map.addSource('edit-vertices', {type: 'geojson', data: empty()});
  map.addSource('edit-midpoints', {type: 'geojson', data: empty()});
  map.addLayer({id: 'edit-area', type: 'fill', source: 'edit-area', paint: {'fill-color': '#ffd400', 'fill-opacity': 0.25}});
  map.addLayer({id: 'edit-line', type: 'line', source: 'edit-area', paint: {'line-color': '#b38f00', 'line-width': 2.5, 'line-dasharray': [3, 2]}});
  map.addLayer({id: 'edit-midpoints', type: 'circle', source: 'edit-midpoints',
    paint: {'circle-radius': 4, 'circle-color': '#b38f00', 'circle-opacity': 0.55}});
  map.addLayer({id: 'edit-vertices', type: 'circle', source: 'edit-vertices',
    paint: {'circle-radius': 6, 'circle-color': '#ffffff', 'circle-stroke-color': '#b38f00', 'circle-stroke-width': 2.5}});
}

/** ctx = {map, territories (FeatureCollection), names, onSaved()} */
export function createTerritoryEdit(panel, ctx) {
  const {map} = ctx;
  let current = null; // {id, etag, polygons: [[ring, ...holes], ...]} (MultiPolygon coordinates)
  let dragging = null; // [polygon, vertex]
  let previews = 0;

  function area() {
    return {type: 'MultiPolygon', coordinates: current.polygons};
  }

  function draw() {
    const data = current ? {type: 'FeatureCollection', features: [{type: 'Feature', geometry: area(), properties: {}}]} : empty();
    map.getSource('edit-area').setData(data);
    const vertices = [];
    const midpoints = []; // one per edge of an outer ring: dragging it adds a vertex there
    const point = (coordinates, properties) => ({type: 'Feature', geometry: {type: 'Point', coordinates}, properties});
    if (current) {
      current.polygons.forEach((poly, p) => poly[0].slice(0, -1).forEach((c, v) => {
        const next = poly[0][v + 1];
        vertices.push(point(c, {p, v}));
        midpoints.push(point([(c[0] + next[0]) / 2, (c[1] + next[1]) / 2], {p, v}));
      }));
    }
    map.getSource('edit-vertices').setData({type: 'FeatureCollection', features: vertices});
    map.getSource('edit-midpoints').setData({type: 'FeatureCollection', features: midpoints});
  }

  /** A new vertex in the middle of edge v (between vertices v and v + 1): its index. */
  function addVertex(p, v) {
    const ring = current.polygons[p][0];
    const [a, b] = [ring[v], ring[v + 1]];
    ring.splice(v + 1, 0, [Number(((a[0] + b[0]) / 2).toFixed(6)), Number(((a[1] + b[1]) / 2).toFixed(6))]);
    draw();
    return v + 1;
  }

  /** Remove vertex v, keeping the ring closed and at least a triangle; false if it cannot go. */
  function removeVertex(p, v) {
    const ring = current.polygons[p][0];
    if (ring.length <= 4) return false;
    ring.splice(v, 1);
    if (v === 0) ring[ring.length - 1] = ring[0];
    draw();
    return true;
  }

  function moveVertex([p, v], lngLat) {
    const ring = current.polygons[p][0];
    const c = [Number(lngLat.lng.toFixed(6)), Number(lngLat.lat.toFixed(6))];
    ring[v] = c;
    if (v === 0) ring[ring.length - 1] = c; // the ring stays closed
    draw();
  }

  map.on('mousedown', 'edit-vertices', (e) => {
    if (!current || e.originalEvent.button !== 0) return; // the right button removes (below)
    e.preventDefault(); // no map pan while a vertex is dragged
    const f = e.features[0];
    dragging = [f.properties.p, f.properties.v];
    map.getCanvas().style.cursor = 'grabbing';
  });
  map.on('mousedown', 'edit-midpoints', (e) => {
    if (!current || dragging || e.originalEvent.button !== 0) return;
    e.preventDefault();
    const f = e.features[0];
    dragging = [f.properties.p, addVertex(f.properties.p, f.properties.v)];
    map.getCanvas().style.cursor = 'grabbing';
  });
  map.on('contextmenu', 'edit-vertices', async (e) => {
    if (!current) return;
    e.preventDefault();
    const f = e.features[0];
    if (removeVertex(f.properties.p, f.properties.v)) await preview();
  });
  map.on('mousemove', (e) => {
    if (dragging) moveVertex(dragging, e.lngLat);
  });
  map.on('mouseup', async () => {
    if (!dragging) return;
    dragging = null;
    map.getCanvas().style.cursor = '';
    await preview();
  });

  function report(result) {
    const box = panel.querySelector('#territory-report');
    clear(box);
    previews += 1;
    box.dataset.previews = String(previews);
    box.dataset.overlaps = String(result.overlaps.length);
    box.dataset.changes = String(result.changes.length);
    const tname = (id) => (id == null ? '—' : ctx.territories.features.find((f) => f.properties.id === id)?.properties.name || `#${id}`);
    const people = (ids) => ids.map((id) => ctx.names.get(id) || `#${id}`).join('、') || T.nobody;
    box.append(
      h('h3', {}, T.overlaps),
      result.overlaps.length
        ? h('ul', {class: 'small'}, result.overlaps.map((o) => h('li', {}, `${o.name}：${Math.round(o.area_m2)} ${T.squareMetres}`)))
        : h('p', {class: 'small'}, T.noOverlaps),
      h('h3', {}, `${T.handOvers}（${result.changes.length}）`),
      result.changes.length
        ? h('ul', {class: 'small changes'}, result.changes.map((c) => h('li', {dataset: {accountId: String(c.account_id)}},
          `${c.name}（${c.number}）：${tname(c.from_territory_id)}（${people(c.from_collector_ids)}）→ ${tname(c.to_territory_id)}（${people(c.to_collector_ids)}）`)))
        : h('p', {class: 'small'}, T.noHandOvers));
  }

  async function preview() {
    const box = panel.querySelector('#territory-report');
    try {
      report((await call(`/api/territories/${current.id}/preview`, {method: 'POST', body: {area: area()}})).body);
    } catch (err) {
      clear(box).append(h('p', {class: 'verdict bad'}, err.message));
      box.dataset.previews = String(++previews);
      box.dataset.error = String(err.status);
    }
  }

  async function choose(id) {
    clear(panel.querySelector('#territory-report'));
    panel.querySelector('#territory-status').textContent = '';
    if (!id) {
      current = null;
      draw();
      return;
    }
    const {body, headers} = await call(`/api/territories/${id}`);
    current = {id: body.id, etag: headers.get('ETag'), polygons: structuredClone(body.area.coordinates)};
    draw();
  }

  async function save() {
    const status = panel.querySelector('#territory-status');
    try {
      await call(`/api/territories/${current.id}`, {method: 'PATCH', body: {area: area()}, headers: {'If-Match': current.etag}});
      status.textContent = T.saved;
      status.dataset.saved = String(current.id);
      await ctx.onSaved();
      await choose(current.id);
      status.textContent = T.saved;
    } catch (err) {
      status.textContent = err.message;
    }
  }

  const options = ctx.territories.features.map((f) => h('option', {value: String(f.properties.id)},
    `${f.properties.name}（${(f.properties.collector_ids || []).map((c) => ctx.names.get(c) || c).join('、')}）`));
  clear(panel).append(
    h('select', {id: 'territory-select', onchange: (e) => choose(Number(e.target.value) || null)},
      h('option', {value: ''}, T.chooseTerritory), options),
    h('p', {class: 'small'}, T.dragHint),
    h('div', {id: 'territory-report'}),
    h('button', {type: 'button', id: 'territory-save', onclick: save}, T.save),
    h('p', {id: 'territory-status', class: 'small'}));
  return {area: () => (current ? area() : null), choose};
}
