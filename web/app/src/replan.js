// Re-plan my day from here (online only): the existing re-plan job, then the new pack.
// Says what left the route and why, in the collector's words.

import {callJson} from './api.js';
import {fetchPack} from './data.js';
import {currentFix} from './position.js';
import {load, state, stopView} from './state.js';
import {T} from './strings.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function replan(progress) {
  if (!navigator.onLine) throw new Error(T.replanNeedsNetwork);
  const fix = await currentFix(8000);
  if (!fix) throw new Error(T.replanNeedsFix);
  const before = (state.pack?.stops || []).map(stopView);
  progress(T.replanning);
  let job = await callJson('/api/me/route/replan', {method: 'POST', json: {lon: fix.lon, lat: fix.lat}});
  for (let i = 0; i < 120 && !['done', 'failed'].includes(job.status); i += 1) {
    await sleep(1000);
    job = await callJson(`/api/jobs/${job.id}`);
  }
  if (job.status !== 'done') throw new Error(job.error || job.status);
  await fetchPack();
  await load();
  const now = new Set(state.pack.stops.map((s) => s.account.id));
  const dropped = before
    .filter((v) => !now.has(v.stop.account.id))
    .map((v) => ({
      name: v.stop.account.name,
      why: v.settled ? T.droppedReason.settled : v.lastOutcome ? T.droppedReason.visited : T.droppedReason.time,
    }));
  return {stops: state.pack.stops, dropped};
}
