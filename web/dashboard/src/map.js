// The map: no internet basemap; the station's own territories, villages and accounts
// are the base. MapLibre GL JS is served by the app from the page's npm install.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import {authHeaders} from './api.js';
import {MINOR_ROAD_TAGS, ROAD_COLORS, arrearsColor, collectorColor} from './colors.js';

export {maplibregl};

const STYLE = {
  version: 8,
  sources: {},
  layers: [{id: 'background', type: 'background', paint: {'background-color': '#f2efe6'}}],
};

/** Layer groups the switch toggles: group -> the map layers it shows. */
export const GROUPS = {
  roads: ['roads'],
  territories: ['territories-fill', 'territories-line'],
  villages: ['villages'],
  accounts: ['accounts'],
  routes: ['routes', 'stops'],
  positions: ['positions'],
};

export function createMap(container) {
  return new maplibregl.Map({
    container,
    style: STYLE,
    center: [110.2, 34.1],
    zoom: 10,
    attributionControl: false,
    // Tiles are scoped reads: the map's own requests carry the page's token.
    transformRequest: (url) =>
      url.startsWith(`${location.origin}/api/`) ? {url, headers: authHeaders()} : {url},
  });
}

function empty() {
  return {type: 'FeatureCollection', features: []};
}

/** The imported road network (GET /api/tiles/roads/...; public data, drawn from zoom 8,
 * tracks and paths from 13): the bottom of the base map, under the territories. */
function addRoads(map) {
  map.addSource('roads', {
    type: 'vector', tiles: [`${location.origin}/api/tiles/roads/{z}/{x}/{y}.mvt`], minzoom: 8, maxzoom: 16,
  });
  const minor = ['in', ['get', 'tag_id'], ['literal', MINOR_ROAD_TAGS]];
  map.addLayer({
    id: 'roads', type: 'line', source: 'roads', 'source-layer': 'roads',
    layout: {'line-join': 'round', 'line-cap': 'round'},
    paint: {
      'line-color': ['case', minor, ROAD_COLORS.track, ROAD_COLORS.major],
      // One zoom curve per expression (MapLibre's rule): the class picks the width at each stop.
      // Roads are wider than the day's route lines (3 px), which follow them and sit on top.
      'line-width': ['interpolate', ['linear'], ['zoom'],
        8, ['case', minor, 0.5, 1.5], 11, ['case', minor, 1, 5], 16, ['case', minor, 3, 10]],
    },
  });
}

/** Add the base sources and layers (empty until the data arrives). */
export function addBaseLayers(map, colors) {
  addRoads(map);
  map.addSource('territories', {type: 'geojson', data: empty()});
  map.addSource('villages', {type: 'geojson', data: empty()});
  map.addSource('accounts', {type: 'geojson', data: empty()});
  map.addLayer({
    id: 'territories-fill',
    type: 'fill',
    source: 'territories',
    paint: {'fill-color': collectorColor(colors, 'collector_id'), 'fill-opacity': 0.12},
  });
  map.addLayer({
    id: 'territories-line',
    type: 'line',
    source: 'territories',
    paint: {'line-color': collectorColor(colors, 'collector_id'), 'line-width': 1.5},
  });
  map.addLayer({
    id: 'villages',
    type: 'circle',
    source: 'villages',
    paint: {
      'circle-radius': 9,
      'circle-color': '#ffffff',
      'circle-opacity': 0.5,
      'circle-stroke-color': '#6b6b6b',
      'circle-stroke-width': 1,
    },
  });
  map.addLayer({
    id: 'accounts',
    type: 'circle',
    source: 'accounts',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 9, 2.5, 13, 5, 16, 8],
      'circle-color': arrearsColor(),
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 9, 0, 13, 1],
    },
  });
}

/** Village points: the mean position of each village's accounts, with its name. */
export function villagePoints(accounts) {
  const sums = new Map();
  for (const f of accounts.features) {
    const name = f.properties.village;
    const [lon, lat] = f.geometry.coordinates;
    const s = sums.get(name) || {lon: 0, lat: 0, n: 0};
    sums.set(name, {lon: s.lon + lon, lat: s.lat + lat, n: s.n + 1});
  }
  return {
    type: 'FeatureCollection',
    features: [...sums].map(([name, s]) => ({
      type: 'Feature',
      geometry: {type: 'Point', coordinates: [s.lon / s.n, s.lat / s.n]},
      properties: {name, accounts: s.n},
    })),
  };
}

/** Territories with one collector id each (the first), for colouring. */
export function territoryFeatures(collection) {
  return {
    type: 'FeatureCollection',
    features: collection.features.map((f) => ({
      ...f,
      properties: {...f.properties, collector_id: (f.properties.collector_ids || [])[0] ?? null},
    })),
  };
}

/** The bounds of a FeatureCollection of points ([[w, s], [e, n]]), or null. */
export function pointBounds(collection) {
  if (!collection.features.length) return null;
  const b = new maplibregl.LngLatBounds();
  for (const f of collection.features) b.extend(f.geometry.coordinates);
  return b;
}

/** Village names as HTML labels (the map has no glyph server; the browser draws the text). */
export function villageLabels(map, villages) {
  return villages.features.map((f) => {
    const el = document.createElement('div');
    el.className = 'village-label';
    el.textContent = f.properties.name;
    return new maplibregl.Marker({element: el, anchor: 'top', offset: [0, 8]})
      .setLngLat(f.geometry.coordinates)
      .addTo(map);
  });
}

export function setGroupVisible(map, group, visible) {
  for (const id of GROUPS[group] || []) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }
}
