// The receipt as a picture: drawn on a canvas (no network, no library), shared as a PNG
// file through the Web Share API where the phone can share files, else downloaded.

import {T} from './strings.js';
import {localTime} from './ui.js';

const WIDTH = 720;
const PAD = 40;
const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** Lines of the receipt: [label, value] pairs under the title and number. */
function rows(r) {
  const out = [
    [T.customer, `${r.name}（${r.number}）`],
    [T.amount, `¥${r.amount}（${T[r.method]}）`],
    [T.collectedAt, localTime(r.at)],
    [T.collector, r.collector],
  ];
  if (r.qr) out.push([T.qrTxn, `${T.qrChannels[r.qr.channel]} ${r.qr.txn_id}`]);
  return out;
}

/** A PNG Blob of receipt ``r`` with its state line (e.g. 已记录，等待发送). */
export function receiptPng(r, stateLine) {
  const lines = rows(r);
  const height = PAD * 2 + 70 + 64 + lines.length * 56 + 70;
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = height;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, WIDTH, height);
  g.strokeStyle = '#333';
  g.lineWidth = 3;
  g.setLineDash([14, 10]);
  g.strokeRect(12, 12, WIDTH - 24, height - 24);
  g.setLineDash([]);
  g.fillStyle = '#111';
  g.textBaseline = 'top';
  let y = PAD;
  g.font = `700 44px ${FONT}`;
  g.fillText(`${T.appName} · ${T.receipt}`, PAD, y);
  y += 70;
  g.font = `800 40px ${FONT}`;
  g.fillText(r.no, PAD, y, WIDTH - 2 * PAD);
  y += 64;
  for (const [label, value] of lines) {
    g.font = `400 30px ${FONT}`;
    g.fillStyle = '#555';
    g.fillText(label, PAD, y);
    g.font = `600 32px ${FONT}`;
    g.fillStyle = '#111';
    g.fillText(value, PAD + 150, y, WIDTH - 2 * PAD - 150);
    y += 56;
  }
  y += 14;
  g.font = `600 28px ${FONT}`;
  g.fillStyle = '#0d47a1';
  g.fillText(stateLine, PAD, y, WIDTH - 2 * PAD);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('toBlob'))), 'image/png'),
  );
}

/** Share the picture (files through Web Share when the phone can), else save it. */
export async function shareReceiptImage(r, stateLine) {
  const blob = await receiptPng(r, stateLine);
  const name = `${T.receipt}-${r.no}.png`;
  const file = new File([blob], name, {type: 'image/png'});
  if (navigator.canShare && navigator.canShare({files: [file]})) {
    try {
      await navigator.share({files: [file], title: `${T.receipt} ${r.no}`});
      return 'shared';
    } catch (err) {
      if (err && err.name === 'AbortError') return 'cancelled';
    }
  }
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return 'saved';
}
