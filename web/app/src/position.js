// The phone's GNSS fix (WGS-84) and its accuracy, when it has one within a few seconds.

export function currentFix(timeoutMs = 4000) {
  if (!('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (pos) =>
        resolve({
          lon: pos.coords.longitude,
          lat: pos.coords.latitude,
          accuracy_m: Math.round(pos.coords.accuracy),
          crs: 'wgs84',
        }),
      () => resolve(null),
      {enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000},
    );
  });
}
