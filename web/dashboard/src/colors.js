// Colours shared by the map and its legend.

/** Arrears classes (yuan, lower bounds) and their colours, light to dark red. */
export const ARREARS_STEPS = [
  [0, '#9aa39a'],
  [0.01, '#fdd49e'],
  [200, '#fc8d59'],
  [500, '#e34a33'],
  [1000, '#b30000'],
  [3000, '#5c0000'],
];

/** A MapLibre expression colouring a feature by its numeric ``arrears`` property. */
export function arrearsColor() {
  const expr = ['step', ['to-number', ['get', 'arrears'], 0], ARREARS_STEPS[0][1]];
  for (const [bound, color] of ARREARS_STEPS.slice(1)) expr.push(bound, color);
  return expr;
}

/** The road network's classes (osm2pgrouting tag ids) and their colours. */
export const ROAD_COLORS = {major: '#8d6e4a', track: '#c9ad84'};
/** osm2pgrouting's mapconfig ids of the minor ways (service, track, path, footway...). */
export const MINOR_ROAD_TAGS = [112, 113, 114, 117, 118, 119, 120, 122];

const PALETTE = [
  '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#bcbd22',
  '#7f7f7f', '#d62728',
];

/** A stable colour per collector: the station's collectors in id order share the palette. */
export function collectorColors(collectorIds) {
  const sorted = [...new Set(collectorIds)].filter((id) => id != null).sort((a, b) => a - b);
  return new Map(sorted.map((id, i) => [id, PALETTE[i % PALETTE.length]]));
}

/** A MapLibre ``match`` expression on a collector id property. */
export function collectorColor(colors, property, fallback = '#888888') {
  if (colors.size === 0) return fallback;
  const expr = ['match', ['get', property]];
  for (const [id, color] of colors) expr.push(id, color);
  expr.push(fallback);
  return expr;
}

export const OUTCOME_COLORS = {
  paid: '#1a9850',
  partial: '#91cf60',
  promise: '#fee08b',
  nobody_home: '#bdbdbd',
  refused: '#d73027',
  moved: '#6a51a3',
  wrong_location: '#f46d43',
  pending: '#ffffff',
};
