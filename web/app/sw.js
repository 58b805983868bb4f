// The app's service worker: keeps the app's own files so the app opens with no network,
// also after the phone restarts. Hand-written on the Cache API (about 60 lines) rather
// than Workbox: Workbox ships as ES modules meant for a bundler (or workbox-sw, which
// loads its modules from a CDN by default), and this page has no build step. Data never
// goes through this cache: the day's pack and the outbox live in IndexedDB, and /api/
// requests pass straight to the network.

const CACHE = 'collector-app-v2';
const SHELL = [
  './',
  'index.html',
  'style.css',
  'manifest.json',
  'icon.svg',
  'src/main.js',
  'src/api.js',
  'src/data.js',
  'src/db.js',
  'src/outbox.js',
  'src/position.js',
  'src/receipt_image.js',
  'src/replan.js',
  'src/state.js',
  'src/strings.js',
  'src/sync.js',
  'src/ui.js',
  'src/views/card.js',
  'src/views/list.js',
  'src/views/login.js',
  'src/views/map.js',
  'src/views/outbox.js',
  'src/views/pay.js',
  'src/views/replan.js',
  'vendor/maplibre-gl/maplibre-gl.mjs',
  'vendor/maplibre-gl/maplibre-gl-worker.mjs',
  'vendor/maplibre-gl/maplibre-gl.css',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The app's files: from the cache at once, refreshed from the network behind (a deploy is
// picked up on the next start). Anything else (the API) is not touched.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const scope = new URL(self.registration.scope);
  if (event.request.method !== 'GET' || url.origin !== scope.origin) return;
  if (!url.pathname.startsWith(scope.pathname)) return;
  const key = event.request.mode === 'navigate' ? new Request(scope.href) : event.request;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      // The app's files do not vary by the request's headers (the service adds Vary: Origin).
      const cached = await cache.match(key, {ignoreSearch: true, ignoreVary: true});
      const fresh = fetch(event.request)
        .then((resp) => {
          if (resp.ok && resp.type === 'basic') cache.put(key, resp.clone());
          return resp;
        })
        .catch(() => undefined);
      if (cached) {
        event.waitUntil(fresh);
        return cached;
      }
      return (await fresh) || Response.error();
    }),
  );
});
