// The admin page: the figures every second, and two line charts drawn from the
// history the server samples (GET /api/admin/history), plus the arenas now.
// No library: a few canvas calls, so the page works on a closed network.
'use strict';

const api = (path) => new URL('/cairn/api/admin/' + path, window.location.origin).toString();
const CAPACITY = 360; // samples the server keeps; the charts' x axis

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
    const x = pad + (i / Math.max(CAPACITY - 1, 1)) * (w - pad - 5);
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
    showFigures(f);
    arenaChart(document.getElementById('arenas'), f);
  } catch (e) {
    document.getElementById('state').textContent = 'unreachable: ' + e.message;
  }
}

// One point per pair of neighbouring samples: what happened between them.
function between(samples, value) {
  const out = [];
  for (let i = 1; i < samples.length; i++) {
    out.push(value(samples[i - 1].figures, samples[i].figures));
  }
  return out;
}

async function pollHistory() {
  let interval = 10;
  try {
    const r = await fetch(api('history'), { credentials: 'same-origin' });
    if (!r.ok) {
      throw new Error('HTTP ' + r.status);
    }
    const h = await r.json();
    interval = h.intervalSeconds;
    document.getElementById('interval').textContent = interval > 0 ? 'every ' + interval + ' s' : 'sampling is off';
    document.getElementById('span').textContent = Math.round(h.samples.length * interval / 60) + ' min';
    const hitRatio = between(h.samples, (a, b) => {
      const hits = b.cacheHits - a.cacheHits, misses = b.cacheMisses - a.cacheMisses;
      return hits + misses > 0 ? hits / (hits + misses) : null;
    });
    const syncLatency = between(h.samples, (a, b) => {
      const syncs = b.syncs - a.syncs;
      return syncs > 0 ? (b.syncNanosTotal - a.syncNanosTotal) / syncs / 1e6 : null;
    });
    lineChart(document.getElementById('hitRatio'), hitRatio, 1, (v) => (100 * v).toFixed(0) + '%');
    lineChart(document.getElementById('syncLatency'), syncLatency, 1, (v) => v.toFixed(1));
  } catch (e) {
    document.getElementById('state').textContent = 'unreachable: ' + e.message;
  }
  if (interval > 0) {
    setTimeout(pollHistory, interval * 1000);
  }
}

async function action(path) {
  const out = document.getElementById('result');
  out.textContent = path + '…';
  try {
    const r = await fetch(api(path), { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' } });
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
pollHistory();
