// The live page of a flumego agent: it polls /live/state every second and
// draws the topology (a layered left-to-right layout, top-to-bottom on a
// narrow screen) and a card per component, with SVG sparklines of the last
// five minutes. Plain JavaScript, no dependency; every name from the
// server is written as text, never as markup.
'use strict';
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const KEEP = 300; // samples: five minutes at one a second
  const W = 172, H = 74, SEL_W = 116, SEL_H = 40, GAP_X = 70, GAP_Y = 18, PAD = 14;

  let since = 0;
  let samples = []; // {seq, t, points: {id: [in, out, errors, rollbacks]}}
  let failures = 0;

  function html(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function rate(v) {
    if (v === undefined || v === null) return '–';
    if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M/s';
    if (v >= 1e4) return (v / 1e3).toFixed(0) + 'k/s';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k/s';
    if (v >= 10 || v === 0) return v.toFixed(0) + '/s';
    return v.toFixed(1) + '/s';
  }
  function count(v) { return Math.round(v).toLocaleString('en-US'); }
  function clock(ms) { return new Date(ms).toLocaleTimeString([], { hour12: false }); }

  // Labels of the in and out counts of each kind.
  const LABELS = {
    source: ['received', 'accepted'], selector: ['in', 'out'], channel: ['put', 'taken'],
    sinkgroup: ['taken', 'drained'], sink: ['taken', 'drained'],
  };

  // memberState returns failed, active or standby for a sink in a group
  // that reports its members, else ''.
  function memberState(n, now) {
    const m = n.member;
    if (!m) return '';
    if (m.failures > 0) return 'failed';
    return m.active ? 'active' : 'standby';
  }
  function memberText(n, st) {
    const m = n.member, s = memberState(n, st.now);
    const group = st.nodes.find(g => g.kind === 'sinkgroup' && st.edges.some(e => e.from === g.id && e.to === n.id));
    const prio = group && group.type === 'failover' ? ' (priority ' + m.priority + ')' : '';
    if (s === 'failed') {
      const until = m.penaltyUntil ? Date.parse(m.penaltyUntil) : 0;
      const when = until > st.now ? 'in penalty until ' + clock(until) : 'retried with the next batch';
      return 'failed ×' + m.failures + ', ' + when + prio;
    }
    return s + prio;
  }
  function nodeClass(n, now) {
    if (n.dropped) return 'dropped';
    const m = memberState(n, now);
    if (m === 'failed' || m === 'standby') return m;
    return n.state || 'running';
  }
  function typeText(n) {
    let k = n.kind === 'sinkgroup' ? 'sink group' : n.kind;
    let t = n.type ? k + ': ' + n.type : k;
    if (n.undefined) t += ' (not configured)';
    else if (n.dropped) t += ' (dropped)';
    return t;
  }

  function series(id, which) {
    const out = [];
    for (const s of samples) {
      const p = s.points[id];
      out.push(p ? p[which] : null);
    }
    return out;
  }

  // sparkline draws the last five minutes of a node's rates in and out.
  function sparkline(id, width, height) {
    const e = svg('svg', { class: 'spark', viewBox: '0 0 ' + width + ' ' + height, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
    const ins = series(id, 0), outs = series(id, 1);
    let top = 0;
    for (const v of ins.concat(outs)) if (v !== null && v > top) top = v;
    if (top === 0) top = 1;
    const step = width / (KEEP - 1), offset = KEEP - samples.length;
    for (const [cls, vals] of [['in', ins], ['out', outs]]) {
      let pts = '';
      vals.forEach(function (v, i) {
        if (v === null) return;
        const x = (offset + i) * step, y = height - 1 - (v / top) * (height - 2);
        pts += x.toFixed(1) + ',' + y.toFixed(1) + ' ';
      });
      if (pts) e.appendChild(svg('polyline', { class: cls, points: pts.trim() }));
    }
    return e;
  }

  // layout places the nodes: one column per used layer, the nodes of a
  // column in their server-given order, centred. When vertical (a narrow
  // screen) the layers are rows instead, wrapped to the width available,
  // so that the graph is drawn at full size.
  function layout(nodes, vertical, avail) {
    const layers = [...new Set(nodes.map(n => n.layer))].sort((a, b) => a - b);
    const cols = layers.map(l => nodes.filter(n => n.layer === l).sort((a, b) => a.order - b.order));
    let size = n => n.kind === 'selector' ? [SEL_W, SEL_H] : [W, H];
    const pos = {};
    if (vertical) {
      const GAP_ROW = 14, GAP_LAYER = 40, GAP_IN = 12;
      // Two nodes a row on a phone: narrower nodes, down to 140 px.
      const w = Math.min(W, Math.max(140, Math.floor((avail - 2 * PAD - GAP_IN) / 2)));
      size = n => n.kind === 'selector' ? [Math.min(SEL_W, w), SEL_H] : [w, H];
      const per = Math.max(1, Math.floor((avail - 2 * PAD + GAP_IN) / (w + GAP_IN)));
      const rows = [];
      cols.forEach(function (col, ci) {
        for (let i = 0; i < col.length; i += per) {
          const chunk = col.slice(i, i + per);
          rows.push({ nodes: chunk, last: i + per >= col.length && ci < cols.length - 1,
            width: chunk.reduce((s, n) => s + size(n)[0], 0) + (chunk.length - 1) * GAP_IN });
        }
      });
      const inner = Math.max(0, ...rows.map(r => r.width));
      let y = PAD;
      for (const r of rows) {
        let x = PAD + (inner - r.width) / 2;
        for (const n of r.nodes) {
          const [w, h] = size(n);
          pos[n.id] = { x: x, y: y + (H - h) / 2, w: w, h: h };
          x += w + GAP_IN;
        }
        y += H + (r.last ? GAP_LAYER : GAP_ROW);
      }
      return { pos: pos, width: Math.max(inner + 2 * PAD, 200), height: Math.max(y - GAP_ROW + PAD, 60) };
    }
    const lengths = cols.map(c => c.reduce((s, n) => s + size(n)[1], 0) + (c.length - 1) * GAP_Y);
    const longest = Math.max(0, ...lengths);
    cols.forEach(function (col, ci) {
      let at = PAD + (longest - lengths[ci]) / 2;
      for (const n of col) {
        const [w, h] = size(n);
        pos[n.id] = { x: PAD + ci * (W + GAP_X) + (W - w) / 2, y: at, w: w, h: h };
        at += h + GAP_Y;
      }
    });
    const width = PAD * 2 + cols.length * W + Math.max(0, cols.length - 1) * GAP_X;
    return { pos: pos, width: Math.max(width, 200), height: Math.max(longest + 2 * PAD, 60) };
  }

  function drawGraph(st) {
    const g = document.getElementById('graph');
    const avail = g.parentNode.clientWidth;
    const vertical = avail < 640;
    const L = layout(st.nodes, vertical, avail);
    g.setAttribute('data-layout', vertical ? 'vertical' : 'horizontal');
    g.setAttribute('viewBox', '0 0 ' + L.width + ' ' + L.height);
    g.style.maxWidth = L.width + 'px';
    while (g.firstChild) g.removeChild(g.firstChild);
    const edges = svg('g'), labels = svg('g'), nodes = svg('g');
    for (const e of st.edges) {
      const a = L.pos[e.from], b = L.pos[e.to];
      if (!a || !b) continue;
      let d, mx, my;
      if (vertical) {
        const x1 = a.x + a.w / 2, y1 = a.y + a.h, x2 = b.x + b.w / 2, y2 = b.y, dy = (y2 - y1) / 2;
        d = 'M' + x1 + ' ' + y1 + ' C' + x1 + ' ' + (y1 + dy) + ' ' + x2 + ' ' + (y2 - dy) + ' ' + x2 + ' ' + y2;
        mx = (x1 + x2) / 2; my = (y1 + y2) / 2;
      } else {
        const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2, dx = (x2 - x1) / 2;
        d = 'M' + x1 + ' ' + y1 + ' C' + (x1 + dx) + ' ' + y1 + ' ' + (x2 - dx) + ' ' + y2 + ' ' + x2 + ' ' + y2;
        mx = (x1 + x2) / 2; my = (y1 + y2) / 2 - 4;
      }
      edges.appendChild(svg('path', { class: 'edge' + (e.dropped ? ' dropped' : ''), d: d, 'marker-end': 'url(#arrow)', 'data-edge': e.from + ' ' + e.to }));
      if (e.rate !== undefined && e.rate !== null) {
        labels.appendChild(svg('text', { class: 'edgelabel', x: mx, y: my, 'text-anchor': 'middle' }, rate(e.rate)));
      }
    }
    for (const n of st.nodes) {
      const p = L.pos[n.id];
      const cls = nodeClass(n, st.now);
      const node = svg('g', { class: 'node ' + n.kind + ' ' + cls, transform: 'translate(' + p.x + ',' + p.y + ')', 'data-node': n.id });
      node.appendChild(svg('rect', { class: 'box', width: p.w, height: p.h, rx: n.kind === 'source' ? 14 : 4 }));
      node.appendChild(svg('title', {}, n.name + ' — ' + typeText(n)));
      if (n.kind === 'selector') {
        node.appendChild(svg('text', { class: 'sub', x: p.w / 2, y: 17, 'text-anchor': 'middle' }, n.type || 'selector'));
        node.appendChild(svg('text', { class: 'sub', x: p.w / 2, y: 32, 'text-anchor': 'middle' }, n.rate ? rate(n.rate.out) : 'selector'));
        nodes.appendChild(node);
        continue;
      }
      node.appendChild(svg('text', { class: 'name', x: 8, y: 17 }, n.name));
      node.appendChild(svg('text', { class: 'sub', x: 8, y: 32 }, typeText(n)));
      if (n.rate) {
        node.appendChild(svg('text', { x: 8, y: 48 }, 'in ' + rate(n.rate.in) + '  out ' + rate(n.rate.out)));
      } else if (n.state && !n.dropped) {
        node.appendChild(svg('text', { class: 'sub', x: 8, y: 48 }, n.state));
      }
      if (n.fill) {
        const frac = n.fill.capacity > 0 ? Math.min(1, n.fill.len / n.fill.capacity) : 0;
        node.appendChild(svg('rect', { class: 'fillbg', x: 8, y: 56, width: p.w - 16, height: 8, rx: 3 }));
        node.appendChild(svg('rect', { class: 'fill', x: 8, y: 56, width: Math.max(frac * (p.w - 16), frac > 0 ? 1 : 0), height: 8, rx: 3 }));
      } else if (n.member) {
        const ms = memberState(n, st.now);
        node.appendChild(svg('text', { class: ms === 'failed' ? 'bad' : 'sub', x: 8, y: 66 }, ms + (ms === 'failed' ? ' ×' + n.member.failures : '')));
      } else if (n.lastMinute && n.lastMinute.errors > 0) {
        node.appendChild(svg('text', { class: 'bad', x: 8, y: 66 }, n.lastMinute.errors + ' errors in 1 min'));
      }
      nodes.appendChild(node);
    }
    const defs = svg('defs');
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M0 0 L10 5 L0 10 z', fill: '#8a8a90' }));
    defs.appendChild(marker);
    g.append(defs, edges, nodes, labels);
  }

  function row(table, label, value, field, bad) {
    const tr = html('tr');
    tr.appendChild(html('td', {}, label));
    const td = html('td', { class: 'num' + (bad ? ' bad' : '') }, value);
    if (field) td.setAttribute('data-field', field);
    tr.appendChild(td);
    table.appendChild(tr);
  }

  function drawCards(st) {
    const box = document.getElementById('cards');
    const cards = [];
    for (const n of st.nodes) {
      if (n.kind === 'selector') continue;
      const cls = nodeClass(n, st.now);
      const card = html('article', { class: 'card ' + cls, 'data-node': n.id, 'data-state': cls });
      const h = html('h2');
      h.appendChild(html('span', { class: 'name' }, n.name));
      h.appendChild(html('span', { class: 'type' }, typeText(n)));
      h.appendChild(html('span', { class: 'badge ' + cls }, cls));
      card.appendChild(h);
      if (n.kind === 'source') {
        const sel = st.nodes.find(x => x.kind === 'selector' && x.name === n.name);
        const to = st.edges.filter(e => e.from === 'selector/' + n.name).map(e => e.to.replace(/^channel\//, ''));
        if (sel) card.appendChild(html('div', { class: 'type' }, (sel.type || 'selector') + ' selector → ' + to.join(', ')));
      }
      const t = html('table');
      const labels = LABELS[n.kind] || ['in', 'out'];
      if (n.counts) {
        row(t, labels[0], count(n.counts.in) + (n.rate ? '  (' + rate(n.rate.in) + ')' : ''), 'in');
        row(t, labels[1], count(n.counts.out) + (n.rate ? '  (' + rate(n.rate.out) + ')' : ''), 'out');
        row(t, 'errors, last minute', count(n.lastMinute.errors), 'errors', n.lastMinute.errors > 0);
        row(t, 'rollbacks, last minute', count(n.lastMinute.rollbacks), 'rollbacks', n.lastMinute.rollbacks > 0);
      }
      if (n.fill) {
        row(t, 'fill', count(n.fill.len) + ' / ' + count(n.fill.capacity), 'fill');
      }
      if (t.firstChild) card.appendChild(t);
      if (n.fill) {
        const frac = n.fill.capacity > 0 ? Math.min(1, n.fill.len / n.fill.capacity) : 0;
        const bar = html('div', { class: 'bar' + (frac > 0.9 ? ' high' : ''), title: (frac * 100).toFixed(1) + '%' });
        const inner = html('div');
        inner.style.width = (frac * 100).toFixed(1) + '%';
        bar.appendChild(inner);
        card.appendChild(bar);
      }
      if (n.member) {
        card.appendChild(html('div', { class: 'member', 'data-field': 'member' }, memberText(n, st)));
      }
      if (!n.dropped && n.counts) card.appendChild(sparkline(n.id, 300, 36));
      cards.push(card);
    }
    box.replaceChildren(...cards);
  }

  function ingest(st) {
    if (st.seq < since) { // the server restarted: start over
      samples = [];
    }
    for (const s of st.samples) {
      if (samples.length === 0 || s.seq > samples[samples.length - 1].seq) samples.push(s);
    }
    if (samples.length > KEEP) samples = samples.slice(samples.length - KEEP);
    since = st.seq;
  }

  function status(text, bad) {
    const s = document.getElementById('status');
    s.textContent = text;
    s.className = 'status' + (bad ? ' bad' : '');
  }

  async function poll() {
    try {
      const r = await fetch('live/state?since=' + since, { cache: 'no-store' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const st = await r.json();
      ingest(st);
      document.getElementById('agent').textContent = st.agent;
      document.title = 'flume agent ' + st.agent;
      drawGraph(st);
      drawCards(st);
      failures = 0;
      status((st.running ? 'running' : 'not running') + ' · configuration generation ' + st.generation + ' · updated ' + clock(st.now));
      document.body.setAttribute('data-generation', String(st.generation));
      document.body.setAttribute('data-updated', String(st.now));
    } catch (e) {
      failures++;
      status('disconnected (' + e.message + '); retrying', true);
    }
    setTimeout(poll, failures > 5 ? 5000 : 1000);
  }
  poll();
})();
