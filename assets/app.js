// The detente explorer page. Everything it shows comes from the server: the controls from
// GET /api/scenario (made from the loaded scenario), the results from the statistics registry
// (POST /api/ensemble, /api/compare, /api/story, /api/export). No names of outcomes, actors or
// parameters are written here.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const DEBOUNCE_MS = 100;
const $ = (id) => document.getElementById(id);

const state = {
  scenario: null,   // the description from /api/scenario
  controls: [],     // {path, kind, base, value, el}
  pinned: null,     // the overrides pinned as A
  last: null,       // the last ensemble summary shown (of B when pinned)
  generation: 0,    // bumped by every request; answers of older ones are dropped
  rendered: 0,      // the generation of what the page shows
  controller: null, // aborts the request in flight
  timer: null,
  changedAt: null,  // performance.now() of the change the next render answers
  latency: [],      // ms from a change to its rendered results
  client: Math.random().toString(36).slice(2) + Date.now().toString(36),
};

// ----------------------------------------------------------------------------------------
// Requests

async function api(path, body, signal) {
  const init = body === undefined ? { signal } : {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body), signal,
  };
  const r = await fetch(path, init);
  let j;
  try { j = await r.json(); } catch (_) { throw new Error(`${path}: the answer is not JSON (status ${r.status})`); }
  if (!r.ok) {
    const e = new Error(j.error || `status ${r.status}`);
    e.problems = j.problems || [];
    e.status = r.status;
    throw e;
  }
  return j;
}

function showError(e) {
  const box = $('error');
  if (!e) { box.hidden = true; box.textContent = ''; return; }
  let text = e.message;
  for (const p of e.problems || []) {
    text += `\n• ${p.field ? p.field + ': ' : ''}${p.message}${p.help ? ' (' + p.help + ')' : ''}`;
  }
  box.textContent = text;
  box.hidden = false;
}

function setStatus(text, busy) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('busy', !!busy);
}

// ----------------------------------------------------------------------------------------
// Controls

function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return Number(x).toFixed(digits === undefined ? 2 : digits);
}
function pct(x, digits) { return x === null || x === undefined ? '–' : (100 * x).toFixed(digits === undefined ? 1 : digits) + '%'; }
function signed(x, digits) { return x === null || x === undefined ? '–' : (x >= 0 ? '+' : '') + x.toFixed(digits); }

function valueText(c) {
  if (c.kind === 'number') return String(c.value);
  if (c.kind === 'toggle') return c.value ? 'true' : 'false';
  return String(c.value);
}

/** The current settings as `--set` overrides: every control whose value differs from the file. */
function overrides() {
  return state.controls.filter((c) => c.value !== c.base).map((c) => `${c.path}=${valueText(c)}`);
}

function markChanged(c) {
  c.el.classList.toggle('changed', c.value !== c.base);
  const group = c.el.closest('details');
  if (group) {
    const n = group.querySelectorAll('.control.changed').length;
    group.querySelector('.count').textContent = n ? ` · ${n} changed` : '';
  }
}

function makeControl(spec, index) {
  const c = { path: spec.path, kind: spec.kind, base: spec.value, value: spec.value, spec };
  const row = document.createElement('div');
  row.className = `control ${spec.kind}`;
  row.dataset.path = spec.path;
  const id = `ctl-${index}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = spec.label;
  let tip = spec.path + '\n' + (spec.provenance || '');
  const reset = document.createElement('button');
  reset.type = 'button';
  reset.className = 'reset';
  reset.textContent = '↺';
  reset.title = 'Back to the value in the file';
  reset.setAttribute('aria-label', `Reset ${spec.label}`);
  if (spec.kind === 'number') {
    const num = document.createElement('input');
    num.type = 'number';
    num.id = id;
    num.step = 'any';
    num.value = spec.value;
    if (spec.valid) { num.min = spec.valid[0]; num.max = spec.valid[1]; tip += `\nvalid: ${spec.valid[0]} to ${spec.valid[1]}`; }
    if (spec.unit) tip += `\nunit: ${spec.unit}`;
    let range = null;
    if (spec.slider) {
      range = document.createElement('input');
      range.type = 'range';
      range.min = spec.slider[0];
      range.max = spec.slider[1];
      range.step = spec.step;
      range.value = spec.value;
      range.setAttribute('aria-label', `${spec.label} (slider)`);
      range.addEventListener('input', () => { c.value = Number(range.value); num.value = range.value; changed(c); });
    }
    num.addEventListener('change', () => {
      const v = Number(num.value);
      if (num.value === '' || !Number.isFinite(v)) { num.value = c.value; return; }
      c.value = v;
      if (range) range.value = v;
      changed(c);
    });
    row.append(label);
    if (range) row.append(range);
    row.append(num, reset);
    const note = document.createElement('span');
    note.className = 'range';
    note.textContent = (spec.valid ? `${spec.valid[0]} to ${spec.valid[1]}` : '') + (spec.unit ? ` · ${spec.unit}` : '');
    if (note.textContent) row.append(note);
    c.set = (v) => { c.value = v; num.value = v; if (range) range.value = v; };
  } else if (spec.kind === 'toggle') {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = id;
    box.checked = !!spec.value;
    box.addEventListener('change', () => { c.value = box.checked; changed(c); });
    row.append(box, label, reset);
    c.set = (v) => { c.value = v; box.checked = v; };
  } else {
    const sel = document.createElement('select');
    sel.id = id;
    for (const o of spec.options) { const opt = document.createElement('option'); opt.value = o; opt.textContent = o; sel.append(opt); }
    sel.value = spec.value;
    sel.addEventListener('change', () => { c.value = sel.value; changed(c); });
    row.append(label, sel, reset);
    c.set = (v) => { c.value = v; sel.value = v; };
  }
  row.title = tip;
  reset.addEventListener('click', () => { c.set(c.base); changed(c); });
  c.el = row;
  return c;
}

function buildControls(d) {
  const root = $('groups');
  root.textContent = '';
  let index = 0;
  d.groups.forEach((g, gi) => {
    const det = document.createElement('details');
    det.dataset.key = g.key;
    if (gi < 2) det.open = true;
    const sum = document.createElement('summary');
    sum.textContent = g.heading;
    const count = document.createElement('span');
    count.className = 'count';
    sum.append(count);
    det.append(sum);
    for (const spec of g.controls) {
      const c = makeControl(spec, index++);
      state.controls.push(c);
      det.append(c.el);
    }
    root.append(det);
  });
}

function changed(c) {
  markChanged(c);
  state.changedAt = performance.now();
  schedule();
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(refresh, DEBOUNCE_MS);
}

// ----------------------------------------------------------------------------------------
// Studies

function settings() {
  const runs = Math.max(1, Math.floor(Number($('runs').value) || 10000));
  const seed = Math.max(0, Math.floor(Number($('seed').value) || 0));
  return { runs, seed };
}

async function refresh() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  const generation = ++state.generation;
  const { runs, seed } = settings();
  const set = overrides();
  setStatus(`running ${runs} runs…`, true);
  document.body.dataset.busy = 'true';
  try {
    let view;
    if (state.pinned) {
      view = await api('/api/compare', { a: state.pinned, b: set, runs, seed, client: state.client }, controller.signal);
    } else {
      view = await api('/api/ensemble', { set, runs, seed, client: state.client }, controller.signal);
    }
    if (generation !== state.generation) return;
    showError(null);
    render(view);
    const ms = state.changedAt === null ? null : performance.now() - state.changedAt;
    state.changedAt = null;
    if (ms !== null) state.latency.push(ms);
    state.rendered = generation;
    $('results').classList.remove('stale');
    const s = document.getElementById('status');
    s.dataset.generation = String(generation);
    s.dataset.latency = ms === null ? '' : ms.toFixed(1);
    setStatus(`${view.runs} runs, seed ${view.seed} · computed in ${fmt(view.elapsed_ms, 0)} ms` +
      (ms === null ? '' : ` · updated ${fmt(ms, 0)} ms after the change`), false);
  } catch (e) {
    if (e.name === 'AbortError' || e.status === 409 || generation !== state.generation) return;
    showError(e);
    $('results').classList.add('stale');
    setStatus('the last change could not be run: see the message above', false);
    document.getElementById('status').dataset.generation = String(generation);
  } finally {
    if (generation === state.generation) document.body.dataset.busy = 'false';
  }
}

// ----------------------------------------------------------------------------------------
// Drawing: small SVG charts, each with a table of its numbers beside it.

function el(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function chart(width, height, label) {
  const s = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label });
  s.append(el('title', {}, label));
  return s;
}

/** Horizontal bars of shares (0–1) with whiskers; `rows` = [{label, bars: [{value, lo, hi, colour, name}]}]. */
function shareBars(rows, label) {
  const per = rows.length ? rows[0].bars.length : 1;
  const rowH = 10 + 14 * per;
  const left = 190, right = 70, width = 760, plot = width - left - right;
  const height = 30 + rows.length * rowH + 26;
  const s = chart(width, height, label);
  for (let t = 0; t <= 100; t += 20) {
    const x = left + plot * t / 100;
    s.append(el('line', { x1: x, y1: 20, x2: x, y2: height - 24, stroke: '#ddd' }));
    s.append(el('text', { x, y: height - 8, 'text-anchor': 'middle', 'font-size': 11 }, `${t}%`));
  }
  rows.forEach((r, i) => {
    const y0 = 24 + i * rowH;
    s.append(el('text', { x: left - 8, y: y0 + rowH / 2, 'text-anchor': 'end', 'font-size': 12, 'dominant-baseline': 'middle' }, r.label));
    r.bars.forEach((b, j) => {
      const y = y0 + 4 + j * 14;
      if (b.value === null) return;
      const w = plot * Math.max(0, Math.min(1, b.value));
      const rect = el('rect', { x: left, y, width: w, height: 12, fill: b.colour });
      rect.append(el('title', {}, `${b.name ? b.name + ': ' : ''}${r.label} ${pct(b.value)} [${pct(b.lo)}, ${pct(b.hi)}]`));
      s.append(rect);
      if (b.lo !== null && b.hi !== null) {
        const xl = left + plot * b.lo, xh = left + plot * b.hi;
        s.append(el('line', { x1: xl, y1: y + 6, x2: xh, y2: y + 6, stroke: '#222', 'stroke-width': 1.2 }));
        s.append(el('line', { x1: xl, y1: y + 2, x2: xl, y2: y + 10, stroke: '#222' }));
        s.append(el('line', { x1: xh, y1: y + 2, x2: xh, y2: y + 10, stroke: '#222' }));
      }
      s.append(el('text', { x: left + plot + 6, y: y + 10, 'font-size': 11 }, pct(b.value)));
    });
  });
  return s;
}

/** A histogram of deal terms on 0–100 with the status quo marked. */
function histogram(t) {
  const width = 370, height = 150, left = 36, right = 10, top = 22, bottom = 34;
  const plot = width - left - right, h = height - top - bottom;
  const total = t.bars.reduce((a, b) => a + b, 0);
  const s = chart(width, height, `deal terms on ${t.issue}: ${total} deals`);
  s.append(el('text', { x: left, y: 14, 'font-size': 12, 'font-weight': 600 }, t.issue));
  const max = Math.max(1, ...t.bars);
  const bw = plot / t.bars.length;
  t.bars.forEach((c, i) => {
    if (!c) return;
    const bh = h * c / max;
    const r = el('rect', { x: left + i * bw, y: top + h - bh, width: Math.max(1, bw - 1), height: bh, fill: '#0072B2' });
    r.append(el('title', {}, `${(i * 100 / t.bars.length).toFixed(0)}–${((i + 1) * 100 / t.bars.length).toFixed(0)}: ${c} deals`));
    s.append(r);
  });
  const sq = left + plot * t.status_quo / 100;
  s.append(el('line', { x1: sq, y1: top, x2: sq, y2: top + h, stroke: '#D55E00', 'stroke-dasharray': '3 2' }));
  s.append(el('text', { x: Math.min(Math.max(sq, left + 24), left + plot - 24), y: top - 2, 'font-size': 10, 'text-anchor': 'middle', fill: '#D55E00' }, 'status quo'));
  s.append(el('line', { x1: left, y1: top + h, x2: left + plot, y2: top + h, stroke: '#444' }));
  for (const v of [0, 50, 100]) s.append(el('text', { x: left + plot * v / 100, y: top + h + 12, 'font-size': 10, 'text-anchor': 'middle' }, v));
  const cut = (x) => (x.length > 28 ? x.slice(0, 27) + '…' : x);
  s.append(el('text', { x: left, y: height - 4, 'font-size': 10, fill: '#555' }, cut(t.low)));
  s.append(el('text', { x: left + plot, y: height - 4, 'font-size': 10, fill: '#555', 'text-anchor': 'end' }, cut(t.high)));
  if (!total) s.append(el('text', { x: left + plot / 2, y: top + h / 2, 'font-size': 12, 'text-anchor': 'middle', fill: '#555' }, 'no deals'));
  return s;
}

/** Lines over rounds; `lines` = [{name, values (null for no run), colour, dash}]. */
function lineChart(lines, rounds, label) {
  const width = 760, height = 220, left = 50, right = 16, top = 16, bottom = 30;
  const plot = width - left - right, h = height - top - bottom;
  const all = lines.flatMap((l) => l.values.filter((v) => v !== null));
  let lo = Math.min(0, ...all), hi = Math.max(1e-9, ...all);
  if (hi <= 1 && lo >= 0) hi = Math.max(hi, 1);
  const s = chart(width, height, label);
  const x = (i) => left + (rounds > 1 ? plot * i / (rounds - 1) : plot / 2);
  const y = (v) => top + h - h * (v - lo) / (hi - lo || 1);
  for (let k = 0; k <= 4; k++) {
    const v = lo + (hi - lo) * k / 4;
    s.append(el('line', { x1: left, y1: y(v), x2: left + plot, y2: y(v), stroke: '#ddd' }));
    s.append(el('text', { x: left - 6, y: y(v) + 4, 'font-size': 10, 'text-anchor': 'end' }, fmt(v, Math.abs(hi - lo) < 5 ? 2 : 0)));
  }
  for (let i = 0; i < rounds; i++) s.append(el('text', { x: x(i), y: height - 10, 'font-size': 10, 'text-anchor': 'middle' }, `${i + 1}`));
  s.append(el('text', { x: left + plot, y: height - 0, 'font-size': 10, 'text-anchor': 'end', fill: '#555' }, 'round'));
  for (const l of lines) {
    let d = '';
    l.values.forEach((v, i) => { if (v !== null) d += `${d ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`; });
    if (!d) continue;
    const p = el('path', { d, fill: 'none', stroke: l.colour, 'stroke-width': 2, 'stroke-dasharray': l.dash || '' });
    p.append(el('title', {}, l.name));
    s.append(p);
    l.values.forEach((v, i) => {
      if (v === null) return;
      const c = el('circle', { cx: x(i), cy: y(v), r: 3, fill: l.colour });
      c.append(el('title', {}, `${l.name}, round ${i + 1}: ${fmt(v, 3)}`));
      s.append(c);
    });
  }
  let lx = left + 8;
  for (const l of lines) {
    s.append(el('line', { x1: lx, y1: top + 4, x2: lx + 18, y2: top + 4, stroke: l.colour, 'stroke-width': 2, 'stroke-dasharray': l.dash || '' }));
    s.append(el('text', { x: lx + 22, y: top + 8, 'font-size': 11 }, l.name));
    lx += 30 + 7 * l.name.length;
  }
  return s;
}

/** Paired differences of shares in percentage points, with intervals, around zero. */
function diffChart(rows) {
  const width = 760, rowH = 20, left = 190, right = 90, plot = width - left - right;
  const height = 30 + rows.length * rowH + 24;
  const m = Math.max(0.005, ...rows.flatMap((r) => [Math.abs(r.lo || 0), Math.abs(r.hi || 0)]));
  const x = (v) => left + plot / 2 + (plot / 2) * v / m;
  const s = chart(width, height, 'paired differences of outcome shares, B minus A, in percentage points');
  s.append(el('line', { x1: x(0), y1: 16, x2: x(0), y2: height - 22, stroke: '#444' }));
  for (const v of [-m, -m / 2, m / 2, m]) s.append(el('text', { x: x(v), y: height - 6, 'font-size': 10, 'text-anchor': 'middle' }, signed(100 * v, 1)));
  rows.forEach((r, i) => {
    const y = 26 + i * rowH;
    s.append(el('text', { x: left - 8, y: y + 4, 'font-size': 12, 'text-anchor': 'end' }, r.label));
    if (r.diff === null) return;
    const colour = r.significant ? '#0072B2' : '#999';
    s.append(el('line', { x1: x(r.lo), y1: y, x2: x(r.hi), y2: y, stroke: colour, 'stroke-width': 2 }));
    const c = el('circle', { cx: x(r.diff), cy: y, r: 4, fill: colour });
    c.append(el('title', {}, `${r.label}: ${signed(100 * r.diff, 2)} points [${signed(100 * r.lo, 2)}, ${signed(100 * r.hi, 2)}]`));
    s.append(c);
    s.append(el('text', { x: left + plot + 6, y: y + 4, 'font-size': 11 }, `${signed(100 * r.diff, 1)}${r.significant ? ' *' : ''}`));
  });
  return s;
}

function table(id, head, rows) {
  const t = $(id);
  t.textContent = '';
  const tr = document.createElement('tr');
  for (const h of head) { const th = document.createElement('th'); th.scope = 'col'; th.textContent = h; tr.append(th); }
  const thead = document.createElement('thead'); thead.append(tr); t.append(thead);
  const body = document.createElement('tbody');
  for (const r of rows) {
    const row = document.createElement('tr');
    for (const [k, v] of Object.entries(r.data || {})) row.dataset[k] = v;
    r.cells.forEach((c, i) => {
      const td = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) td.scope = 'row';
      td.textContent = c;
      if (r.sig && i === r.cells.length - 1) td.className = 'sig';
      row.append(td);
    });
    body.append(row);
  }
  t.append(body);
}

function replace(id, node) { const c = $(id); c.textContent = ''; if (node) c.append(node); }

// ----------------------------------------------------------------------------------------
// Rendering the results

function render(view) {
  state.lastView = view; // a change of the series shown redraws it without a new study
  const compare = !!view.differences;
  const b = compare ? view.b : view;
  const a = compare ? view.a : null;
  state.last = b;
  const shares = b.statistics.filter((s) => s.family === 'share');
  const aShare = (name) => (a ? a.statistics.find((s) => s.name === name) : null);
  replace('shares-chart', shareBars(shares.map((s) => ({
    label: s.label,
    bars: (a ? [{ ...(aShare(s.name) || {}), colour: '#999', name: 'A' }] : []).concat([{ ...s, colour: compare ? '#0072B2' : '#56B4E9', name: compare ? 'B' : '' }]),
  })), compare ? 'outcome shares of A (grey) and B (blue) with 95% intervals' : 'outcome shares with 95% intervals'));
  table('shares-table', ['outcome', 'share', '95% interval', 'runs'], shares.map((s) => ({
    cells: [s.label, pct(s.value), `[${pct(s.lo)}, ${pct(s.hi)}]`, Math.round(s.value * b.runs)],
    data: { stat: s.name, value: s.value },
  })));
  const other = b.statistics.filter((s) => s.family === 'rounds' || s.family === 'collapse');
  table('other-table', ['statistic', 'value', '95% interval'], other.map((s) => ({
    cells: [s.label, s.family === 'collapse' ? pct(s.value) : fmt(s.value), s.lo === null ? '' : s.family === 'collapse' ? `[${pct(s.lo)}, ${pct(s.hi)}]` : `[${fmt(s.lo)}, ${fmt(s.hi)}]`],
    data: { stat: s.name, value: s.value },
  })));
  // Deal terms: one histogram per issue, and the registry's term statistics in a table.
  const charts = $('terms-charts');
  charts.textContent = '';
  for (const t of b.terms) charts.append(histogram(t));
  const terms = b.statistics.filter((s) => s.family === 'terms');
  table('terms-table', ['statistic', 'value', '95% interval'], terms.map((s) => ({
    cells: [s.label, fmt(s.value, 1), s.lo === null ? '' : `[${fmt(s.lo, 1)}, ${fmt(s.hi, 1)}]`],
    data: { stat: s.name, value: s.value === null ? '' : s.value },
  })));
  $('terms-h').textContent = `Deal terms (${b.deals} deals of ${b.runs} runs)`;
  renderSeries(b, a);
  // Outcomes to look for in the story panel: the registry's shares.
  const pick = $('story-ending');
  const keep = pick.value;
  pick.textContent = '';
  for (const s of shares) {
    const o = document.createElement('option');
    o.value = s.name.replace(/^share:/, '');
    o.textContent = `${s.label} (${pct(s.value)})`;
    pick.append(o);
  }
  if ([...pick.options].some((o) => o.value === keep)) pick.value = keep;
  // Compare mode.
  $('comparison').hidden = !compare;
  if (compare) {
    const d = view.differences;
    $('a-set').textContent = `A: ${view.a_set.length ? view.a_set.join(' ') : 'the scenario as in the file'} · B: ${view.b_set.length ? view.b_set.join(' ') : 'the scenario as in the file'}`;
    replace('diff-chart', diffChart(d.filter((x) => x.family === 'share')));
    table('diff-table', ['statistic', 'A', 'B', 'B − A [95% interval]'], d.map((x) => {
      const share = x.family === 'share';
      const show = (v) => (share ? pct(v, 1) : fmt(v, 2));
      const diff = share ? `${signed(100 * x.diff, 1)} [${signed(100 * x.lo, 1)}, ${signed(100 * x.hi, 1)}] points` : `${signed(x.diff, 2)} [${signed(x.lo, 2)}, ${signed(x.hi, 2)}]`;
      return {
        cells: [x.label, show(x.a), show(x.b), diff + (x.significant ? ' *' : '')],
        data: { stat: x.name, diff: x.diff, lo: x.lo, hi: x.hi, significant: x.significant },
        sig: x.significant,
      };
    }));
  }
}

const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7'];

function selectedSeries(summary) {
  const pick = $('series-pick');
  if (!pick.options.length) {
    for (const s of summary.series) {
      const o = document.createElement('option');
      o.value = s.name;
      o.textContent = s.label;
      pick.append(o);
    }
  }
  return summary.series.find((s) => s.name === pick.value) || summary.series[0];
}

function renderSeries(b, a) {
  const s = selectedSeries(b);
  if (!s) return;
  const rounds = state.scenario.rounds;
  const lines = [];
  if (a) { const sa = a.series.find((x) => x.name === s.name); if (sa) lines.push({ name: 'A', values: sa.values, colour: '#999', dash: '4 3' }); }
  lines.push({ name: a ? 'B' : s.label, values: s.values, colour: COLOURS[0] });
  replace('series-chart', lineChart(lines, rounds.length, `${s.label} per round, mean over the runs still going`));
  table('series-table', ['round'].concat(rounds.map((r, i) => (r.date ? `${i + 1} (${r.date.slice(5)})` : `${i + 1}`))), lines.map((l) => ({ cells: [l.name].concat(l.values.map((v) => fmt(v, 3))) })));
}

// ----------------------------------------------------------------------------------------
// A run's story

async function tell(body) {
  const { runs, seed } = settings();
  $('story-text').textContent = 'telling…';
  try {
    const r = await api('/api/story', { set: overrides(), seed, within: runs, ...body });
    $('story-run').value = r.run;
    $('story-text').textContent = r.text;
    $('story-text').dataset.outcome = r.outcome;
    $('story-text').dataset.run = r.run;
    const pick = selectedSeries(state.last || r);
    const one = r.series.find((x) => x.name === (pick && pick.name)) || r.series[0];
    const lines = [{ name: `run ${r.run}: ${one.label}`, values: one.values, colour: COLOURS[1] }];
    const mean = state.last && state.last.series.find((x) => x.name === one.name);
    if (mean) lines.push({ name: 'mean of the ensemble', values: mean.values, colour: '#999', dash: '4 3' });
    replace('story-chart', lineChart(lines, state.scenario.rounds.length, `run ${r.run}: ${one.label} per round`));
    showError(null);
  } catch (e) {
    $('story-text').textContent = '';
    showError(e);
  }
}

// ----------------------------------------------------------------------------------------
// Export

async function exportSettings() {
  const { runs, seed } = settings();
  try {
    const r = await api('/api/export', { set: overrides(), runs, seed });
    $('variant').textContent = r.variant;
    $('command').textContent = r.command;
    const link = $('download');
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([r.variant], { type: 'text/plain' }));
    link.download = r.file_name;
    link.textContent = `Download ${r.file_name}`;
    link.hidden = false;
    showError(null);
  } catch (e) {
    showError(e);
  }
}

// ----------------------------------------------------------------------------------------
// Start

async function start() {
  try {
    const d = await api('/api/scenario');
    state.scenario = d;
    document.title = `${d.name} — detente explorer`;
    $('title').textContent = d.name;
    $('file').textContent = d.file;
    buildControls(d);
  } catch (e) {
    showError(e);
    setStatus('the scenario could not be loaded', false);
    return;
  }
  $('runs').addEventListener('change', schedule);
  $('seed').addEventListener('change', schedule);
  $('series-pick').addEventListener('change', () => { if (state.lastView) render(state.lastView); });
  $('reset').addEventListener('click', () => { for (const c of state.controls) { c.set(c.base); markChanged(c); } state.changedAt = performance.now(); schedule(); });
  $('pin').addEventListener('click', () => {
    state.pinned = overrides();
    $('pin').textContent = 'Pin the current settings as A';
    $('unpin').hidden = false;
    $('pin-note').textContent = `A = ${state.pinned.length ? state.pinned.join(' ') : 'the scenario as in the file'}; change settings to see B against A.`;
    state.changedAt = performance.now();
    refresh();
  });
  $('unpin').addEventListener('click', () => {
    state.pinned = null;
    $('unpin').hidden = true;
    $('pin-note').textContent = '';
    state.changedAt = performance.now();
    refresh();
  });
  $('story-form').addEventListener('submit', (e) => { e.preventDefault(); tell({ run: Math.max(0, Math.floor(Number($('story-run').value) || 0)) }); });
  $('story-find').addEventListener('click', () => tell({ ending: $('story-ending').value }));
  $('export-btn').addEventListener('click', exportSettings);
  $('filter').addEventListener('input', () => {
    const q = $('filter').value.trim().toLowerCase();
    for (const c of state.controls) c.el.hidden = q !== '' && !(`${c.path} ${c.spec.label}`.toLowerCase().includes(q));
    for (const det of document.querySelectorAll('#groups details')) {
      const any = [...det.querySelectorAll('.control')].some((x) => !x.hidden);
      det.hidden = !any;
      if (q) det.open = any;
    }
  });
  refresh();
}

start();
