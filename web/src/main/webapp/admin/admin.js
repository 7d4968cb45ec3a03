// The admin page: polls the figures, keeps a short history, draws three charts.
// No library: a few canvas calls, so the page works on a closed network.
'use strict';

const api = (path) => new URL('/cairn/api/admin/' + path, window.location.origin).toString();
const HISTORY = 120; // points kept per series (two minutes at one a second)
const series = { hitRatio: [], syncLatency: [] };
let previous = null;

function push(name, value) {
  const s = series[name];
  s.push(value);
  if (s.length > HISTORY) {
    s.shift();
  }
}

function lineChart(canvas, values, maxHint, format) {
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 30;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#999';
  g.beginPath(); g.moveTo(pad, 5); g.lineTo(pad, h - pad); g.lineTo(w - 5, h - pad); g.stroke();
  const points = values.filter((v) => v !== null);
  const max = Math.max(maxHint, ...points, 1e-9);
  g.fillStyle = '#444';
  g.font = '11px sans-serif';
  g.fillText(format(max), 2, 12);
  g.fillText(format(0), 2, h - pad);
  g.strokeStyle = '#2a6fdb';
  g.lineWidth = 2;
  g.beginPath();
  let started = false;
  values.forEach((v, i) => {
    if (v === null) {
      return;
    }
    const x = pad + (i / Math.max(HISTORY - 1, 1)) * (w - pad - 5);
    const y = (h - pad) - (v / max) * (h - pad - 5);
    if (started) { g.lineTo(x, y); } else { g.moveTo(x, y); started = true; }
  });
  g.stroke();
  canvas.dataset.points = String(points.length);
}

function arenaChart(canvas, f) {
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  const n = f.arenas || 0;
  const bar = Math.min(28, (h - 10) / Math.max(n, 1) - 4);
  g.font = '11px sans-serif';
  for (let i = 0; i < n; i++) {
    const used = f['arena' + i + 'UsedBytes'], free = f['arena' + i + 'FreeBytes'];
    const total = used + free;
    const y = 5 + i * (bar + 4);
    g.fillStyle = '#e6e6e6';
    g.fillRect(60, y, w - 70, bar);
    g.fillStyle = '#d9822b';
    g.fillRect(60, y, (w - 70) * (total ? used / total : 0), bar);
    g.fillStyle = '#222';
    g.fillText('arena ' + i, 2, y + bar / 2 + 4);
    g.fillText((100 * (total ? used / total : 0)).toFixed(1) + ' %', 64, y + bar / 2 + 4);
  }
  canvas.dataset.points = String(n);
}

function showFigures(f) {
  const body = document.querySelector('#figures tbody');
  body.replaceChildren(...Object.entries(f).map(([k, v]) => {
    const tr = document.createElement('tr');
    tr.id = 'figure-' + k;
    const name = document.createElement('td');
    name.textContent = k;
    const value = document.createElement('td');
    value.className = 'value';
    value.textContent = String(v);
    tr.append(name, value);
    return tr;
  }));
  const state = document.getElementById('state');
  state.textContent = f.readOnly ? 'READ-ONLY: ' + (f.readOnlyReason || 'reason unknown') : 'writable';
  state.className = 'state ' + (f.readOnly ? 'readonly' : 'ok');
}

async function poll() {
  try {
    const r = await fetch(api('stats'), { credentials: 'same-origin' });
    if (!r.ok) {
      throw new Error('HTTP ' + r.status);
    }
    const f = await r.json();
    if (previous) {
      const hits = f.cacheHits - previous.cacheHits, misses = f.cacheMisses - previous.cacheMisses;
      push('hitRatio', hits + misses > 0 ? hits / (hits + misses) : null);
      const syncs = f.syncs - previous.syncs;
      push('syncLatency', syncs > 0 ? (f.syncNanosTotal - previous.syncNanosTotal) / syncs / 1e6 : null);
    }
    previous = f;
    showFigures(f);
    arenaChart(document.getElementById('arenas'), f);
    lineChart(document.getElementById('hitRatio'), series.hitRatio, 1, (v) => (100 * v).toFixed(0) + '%');
    lineChart(document.getElementById('syncLatency'), series.syncLatency, 1, (v) => v.toFixed(1));
  } catch (e) {
    document.getElementById('state').textContent = 'unreachable: ' + e.message;
  }
}

async function action(path) {
  const out = document.getElementById('result');
  out.textContent = path + '…';
  try {
    const r = await fetch(api(path), { method: 'POST', credentials: 'same-origin' });
    out.textContent = path + ': ' + JSON.stringify(await r.json(), null, 1);
  } catch (e) {
    out.textContent = path + ' failed: ' + e.message;
  }
}

document.getElementById('sync').addEventListener('click', () => action('sync'));
document.getElementById('check').addEventListener('click', () => action('check'));
document.getElementById('compress').addEventListener('click', () => action('compress'));
poll();
setInterval(poll, 1000);
