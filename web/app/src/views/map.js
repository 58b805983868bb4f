// The day on a map from the pack's own geometry: the route line and numbered stops on a
// plain background (no tile server: it works in a valley without signal).

import {stops, state} from '../state.js';
import {T} from '../strings.js';
import {h} from '../ui.js';

let maplibre = null;

async function library() {
  maplibre ??= await import('../../vendor/maplibre-gl/maplibre-gl.mjs');
  return maplibre;
}

const STYLE = {
  version: 8,
  sources: {},
  layers: [{id: 'background', type: 'background', paint: {'background-color': '#eef1e8'}}],
};

function features() {
  const views = stops();
  const points = views.map((v) => ({
    type: 'Feature',
    properties: {seq: v.stop.seq, settled: v.settled},
    geometry: {type: 'Point', coordinates: [v.stop.position_wgs84.lon, v.stop.position_wgs84.lat]},
  }));
  const line = state.pack?.geometry
    ? [{type: 'Feature', properties: {}, geometry: state.pack.geometry}]
    : [];
  return {views, points, line};
}

export function mapScreen() {
  const box = h('div', {id: 'map', class: 'map'});
  const note = h('p', {class: 'error', hidden: true});
  queueMicrotask(() => draw(box, note));
  return [h('a', {class: 'back', href: '#/'}, `‹ ${T.list}`), box, note];
}

async function draw(box, note) {
  const {views, points, line} = features();
  if (!points.length) return;
  try {
    const gl = await library();
    const bounds = new gl.LngLatBounds();
    for (const p of points) bounds.extend(p.geometry.coordinates);
    const map = new gl.Map({container: box, style: STYLE, bounds, fitBoundsOptions: {padding: 40},
      attributionControl: false});
    map.on('load', () => {
      map.addSource('route', {type: 'geojson', data: {type: 'FeatureCollection', features: line}});
      map.addLayer({id: 'route', type: 'line', source: 'route',
        paint: {'line-color': '#1565c0', 'line-width': 4}});
      map.addSource('stops', {type: 'geojson', data: {type: 'FeatureCollection', features: points}});
      map.addLayer({id: 'stops', type: 'circle', source: 'stops',
        paint: {'circle-radius': 9, 'circle-color': ['case', ['get', 'settled'], '#9e9e9e', '#d84315'],
          'circle-stroke-color': '#fff', 'circle-stroke-width': 2}});
      box.dataset.ready = 'true';
    });
    // Numbers as DOM markers: the map needs no glyph server.
    for (const v of views) {
      const el = h('a', {class: 'pin', href: `#/stop/${v.stop.account.id}`}, v.stop.seq);
      new gl.Marker({element: el}).setLngLat([v.stop.position_wgs84.lon, v.stop.position_wgs84.lat]).addTo(map);
    }
  } catch (err) {
    note.textContent = `地图无法显示：${err.message}`;
    note.hidden = false;
  }
}
