// The ordo console (docs/guide.md, "Console"): a hash-routed page over ordo's public HTTP
// API. #/login asks for the bearer token (kept in this tab's sessionStorage), #/ lists
// the applies, #/applies/ID draws an apply's timeline live from
// GET v1/applies/ID/stream (read with fetch(), so the token travels in the
// Authorization header and never in a URL) and offers its controls.
//
// Requests while idle: the list reloads every 5 s while the tab is visible; an apply's
// page holds one stream and sends nothing else until a control is used.
'use strict';

(() => {
  const TOKEN_KEY = 'ordo.token';
  const LIST_REFRESH_MS = 5000;
  const STREAM_QUIET_MS = 40000; // the server's heartbeat is every 15 s
  const main = document.getElementById('main');
  const conn = document.getElementById('conn');
  const signoutButton = document.getElementById('signout');
  let closeView = null;
  let loginNote = '';

  // What each control does, as docs/guide.md ("Control requests") says.
  const CONTROLS = [
    ['stop', 'Stop', 'No new copy or cutover starts; copies stop at their next safe point with a checkpoint (→ stopped). A cutover in flight finishes; revert windows run on.'],
    ['start', 'Start', 'Resumes the stopped apply: deployments that never started wait for their turn again, the others resume from their checkpoint.'],
    ['cutover', 'Cut over', 'Lets a deferred-cutover apply swap, one deployment at a time in deployment order.'],
    ['revert', 'Revert', 'Swaps the deployment in its revert window back to the old table, which holds every write made during the window (→ reverted).'],
    ['skip-revert', 'Skip revert', 'Ends the current revert window now: the old table goes and the deployment is completed.'],
    ['cancel', 'Cancel', 'Stops for good: every deployment that has not swapped is cancelled and its shadow tables are dropped. Swapped deployments stay swapped.'],
    ['release', 'Release', 'Sets the pause latch: failed earlier deployments no longer block later ones.'],
  ];
  const KIND_NAMES = {
    waiting: 'waiting', copying: 'copying', building_indexes: 'building indexes',
    verifying: 'verifying', parked: 'parked in sync', cutover: 'cutover',
    revert_window: 'revert window', retrying: 'retrying', stopped: 'stopped',
    completed: 'completed', failed: 'failed', cancelled: 'cancelled', reverted: 'reverted',
  };
  const MARK_GLYPHS = { completed: '✓', failed: '✗', cancelled: '⊘', reverted: '↶' };

  // ---- small helpers ----------------------------------------------------------------

  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) if (kid != null && kid !== false) el.append(kid);
    return el;
  }
  const words = (s) => String(s || '').replace(/_/g, ' ');
  const token = () => sessionStorage.getItem(TOKEN_KEY) || '';
  const ms = (rfc3339) => (rfc3339 ? Date.parse(rfc3339) : null);

  function duration(msecs) {
    const s = Math.max(0, Math.round(msecs / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60 ? (s % 60) + ' s' : '');
    if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
    return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
  }
  function clock(secs) {
    const s = Math.max(0, Math.round(secs));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  function shortTime(t) {
    return t == null ? '—' : new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  }
  function stateBadge(state) {
    return h('span', { class: 'state state-' + state, 'data-state': state }, words(state));
  }

  class Unauthorized extends Error {}

  async function api(path, options = {}) {
    const res = await fetch(path, {
      ...options,
      cache: 'no-store',
      headers: { Accept: 'application/json', Authorization: 'Bearer ' + token() },
    });
    if (res.status === 401) throw new Unauthorized('the server refused the token');
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    return { status: res.status, body };
  }
  const errorText = (r) => (r.body && r.body.error ? r.body.error.message : 'HTTP ' + r.status);

  function signOut(note) {
    sessionStorage.removeItem(TOKEN_KEY);
    loginNote = note || '';
    if (location.hash === '#/login') route();
    else location.hash = '#/login';
  }
  signoutButton.addEventListener('click', () => signOut('Signed out.'));

  function setConn(text, trouble) {
    conn.textContent = text;
    conn.classList.toggle('trouble', !!trouble);
  }

  // ---- routing ------------------------------------------------------------------------

  let nextAfterLogin = '#/';
  function route() {
    if (closeView) closeView();
    closeView = null;
    setConn('');
    main.replaceChildren();
    const hash = location.hash || '#/';
    if (!token() || hash === '#/login') {
      if (hash !== '#/login') nextAfterLogin = hash;
      return showLogin();
    }
    signoutButton.hidden = false;
    const m = hash.match(/^#\/applies\/([^/?]+)$/);
    closeView = m ? showApply(decodeURIComponent(m[1])) : showList();
  }
  window.addEventListener('hashchange', route);

  // ---- login --------------------------------------------------------------------------

  function showLogin() {
    document.title = 'Sign in · ordo';
    signoutButton.hidden = true;
    const input = h('input', { id: 'token', name: 'token', type: 'password', required: true,
      autocomplete: 'current-password', 'aria-describedby': 'token-help' });
    const note = h('p', { id: 'login-note', class: 'error', role: 'alert' }, loginNote);
    loginNote = '';
    const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h('form', { class: 'panel login', 'aria-labelledby': 'login-title' },
      h('h1', { id: 'login-title' }, 'Sign in to the ordo console'),
      h('label', { for: 'token' }, 'API token'), input,
      h('p', { id: 'token-help', class: 'help' },
        'The bearer token of this ordo serve (ORDO_API_TOKEN or api.token in its config). ' +
        'It is kept in this browser tab only and sent with every request to the API.'),
      button, note);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      button.disabled = true;
      note.textContent = 'Checking the token…';
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      try {
        const r = await api('v1/applies?limit=1');
        if (r.status !== 200) throw new Error(errorText(r));
        const next = nextAfterLogin === '#/login' ? '#/' : nextAfterLogin;
        if (location.hash === next) route(); else location.hash = next;
      } catch (err) {
        sessionStorage.removeItem(TOKEN_KEY);
        note.textContent = err instanceof Unauthorized
          ? 'The server refused this token (401). Check ORDO_API_TOKEN on the server.'
          : 'Cannot reach the API: ' + err.message;
        button.disabled = false;
        input.select();
        input.focus();
      }
    });
    main.append(form);
    input.focus();
    return null;
  }

  // ---- the list of applies ---------------------------------------------------------------

  function showList() {
    document.title = 'Applies · ordo';
    let applies = [];
    let closed = false;
    let timer = null;
    const filter = h('input', { id: 'filter', type: 'search', placeholder: 'id, database, environment, error…' });
    const stateFilter = h('select', { id: 'state-filter' }, h('option', { value: '' }, 'every state'));
    const tbody = h('tbody');
    const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
    main.append(h('section', { class: 'panel', 'aria-labelledby': 'list-title' },
      h('h1', { id: 'list-title' }, 'Applies'),
      h('div', { class: 'filters' },
        h('label', { for: 'filter' }, 'Filter'), filter,
        h('label', { for: 'state-filter' }, 'State'), stateFilter),
      h('table', { class: 'applies' },
        h('thead', {}, h('tr', {}, ['Apply', 'Database', 'Environment', 'State', 'Created by', 'Age', 'Started', 'Completed', 'Error']
          .map((c) => h('th', { scope: 'col' }, c)))),
        tbody),
      status));

    function draw() {
      const text = filter.value.trim().toLowerCase();
      const state = stateFilter.value;
      const states = [...new Set(applies.map((a) => a.state))].sort();
      const chosen = stateFilter.value;
      stateFilter.replaceChildren(h('option', { value: '' }, 'every state'),
        ...states.map((s) => h('option', { value: s }, words(s))));
      stateFilter.value = states.includes(chosen) ? chosen : '';
      const now = Date.now();
      const shown = applies.filter((a) => (!state || a.state === state) && (!text ||
        [a.id, a.database, a.environment, a.state, a.created_by, a.error].join(' ').toLowerCase().includes(text)));
      tbody.replaceChildren(...shown.map((a) => h('tr', { 'data-apply': a.id },
        h('td', {}, h('a', { href: '#/applies/' + encodeURIComponent(a.id) }, a.id)),
        h('td', {}, a.database), h('td', {}, a.environment), h('td', {}, stateBadge(a.state)),
        h('td', {}, a.created_by || ''),
        h('td', { title: shortTime(ms(a.created_at)) }, duration(now - ms(a.created_at)) + ' ago'),
        h('td', {}, shortTime(ms(a.started_at))), h('td', {}, shortTime(ms(a.completed_at))),
        h('td', { class: 'error' }, a.error || ''))));
      status.textContent = applies.length === 0 ? 'No applies yet.'
        : `${shown.length} of ${applies.length} most recent applies shown; refreshed every ${LIST_REFRESH_MS / 1000} s.`;
    }
    filter.addEventListener('input', draw);
    stateFilter.addEventListener('change', draw);

    async function load() {
      if (closed) return;
      if (!document.hidden) {
        try {
          const r = await api('v1/applies?limit=200');
          if (closed) return;
          if (r.status === 200) { applies = r.body.applies; draw(); setConn('updated ' + new Date().toLocaleTimeString()); }
          else setConn('cannot list the applies: ' + errorText(r), true);
        } catch (err) {
          if (err instanceof Unauthorized) return signOut('The server refused the token (401); sign in again.');
          setConn('cannot reach the API: ' + err.message, true);
        }
      }
      if (!closed) timer = setTimeout(load, LIST_REFRESH_MS);
    }
    load();
    filter.focus();
    return () => { closed = true; clearTimeout(timer); };
  }

  // ---- an apply's page ------------------------------------------------------------------

  function showApply(id) {
    document.title = id + ' · ordo';
    Object.assign(window.ordoConsole, { viewStartedAt: performance.now(), firstPageAt: null, firstDrawnAt: null });
    let page = null; // the last document the stream sent
    let receivedAt = 0; // performance.now() when it came
    let live = false;
    const head = h('div', { class: 'apply-head' });
    const answer = h('p', { id: 'answer', class: 'answer', role: 'status', 'aria-live': 'polite' });
    const buttons = {};
    const reasons = {};
    const controlList = h('ul', { class: 'controls' }, CONTROLS.map(([verb, label]) => {
      reasons[verb] = h('span', { class: 'why', id: 'why-' + verb });
      buttons[verb] = h('button', { type: 'button', 'data-verb': verb, disabled: true,
        'aria-describedby': 'why-' + verb, onclick: () => confirmControl(verb) }, label);
      return h('li', {}, buttons[verb], reasons[verb]);
    }));
    const lanes = h('ol', { class: 'lanes', 'aria-label': 'Deployments in deployment order' });
    const axis = h('div', { class: 'axis', 'aria-hidden': 'true' });
    const handoffs = h('ul', { class: 'handoffs' });
    main.append(
      h('p', {}, h('a', { href: '#/' }, '← All applies')),
      head,
      h('section', { class: 'panel', 'aria-labelledby': 'controls-title' },
        h('h2', { id: 'controls-title' }, 'Controls'),
        h('p', { class: 'help' }, 'A control is enabled when the store would accept it now; each asks for confirmation first.'),
        controlList, answer),
      h('section', { class: 'panel', 'aria-labelledby': 'timeline-title' },
        h('h2', { id: 'timeline-title' }, 'Timeline'),
        legend(), axis, lanes,
        h('h3', {}, 'Handoffs between swaps'), handoffs));
    head.append(h('h1', {}, id), h('p', { class: 'muted' }, 'Connecting…'));

    function render() {
      if (!page) return;
      const t0 = performance.now();
      const apply = page.apply;
      const timeline = page.timeline;
      const now = ms(timeline.now) + (performance.now() - receivedAt);
      drawHead(apply);
      drawControls();
      drawTimeline(timeline, apply, now);
      window.ordoConsole.lastRenderMs = performance.now() - t0;
      if (window.ordoConsole.firstDrawnAt == null) {
        window.ordoConsole.firstDrawnAt = performance.now();
        window.ordoConsole.firstRenderMs = window.ordoConsole.lastRenderMs;
      }
      window.ordoConsole.renders += 1;
    }

    function drawHead(apply) {
      const facts = [
        ['Database', apply.database], ['Environment', apply.environment],
        ['Created by', apply.created_by || 'not recorded'],
        ['Cutover policy', apply.cutover_policy], ['On failure', apply.on_failure],
        ['Deferred cutover', apply.options && apply.options.defer_cutover ? 'yes' : 'no'],
        ['Created', shortTime(ms(apply.created_at))], ['Started', shortTime(ms(apply.started_at))],
        ['Completed', shortTime(ms(apply.completed_at))],
      ];
      head.replaceChildren(
        h('h1', {}, 'Apply ', h('span', { class: 'mono' }, apply.id), ' ', stateBadge(apply.state)),
        h('dl', { class: 'facts' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))));
      if (apply.error) head.append(h('p', { class: 'error', role: 'alert' }, 'Error: ' + apply.error));
    }

    function drawControls() {
      for (const [verb] of CONTROLS) {
        const c = (page.controls || {})[verb] || { accepted: false, reason: 'unknown' };
        const ok = live && c.accepted;
        buttons[verb].disabled = !ok;
        reasons[verb].textContent = !live ? 'not connected' : ok ? '' : (c.reason || words(c.outcome));
      }
    }

    function drawTimeline(timeline, apply, now) {
      const start = ms(timeline.start);
      const end = timeline.end ? ms(timeline.end) : Math.max(now, ms(timeline.now));
      const span = Math.max(end - start, 1000);
      const pct = (t) => ((t - start) / span) * 100;
      axis.replaceChildren(...ticks(span).map((offset) =>
        h('span', { class: 'tick', 'data-left': pct(start + offset) }, offset === 0 ? shortTime(start) : '+' + duration(offset))));
      for (const tick of axis.children) tick.style.left = tick.dataset.left + '%';
      const waiting = {};
      for (const op of apply.operations || []) waiting[op.deployment] = op.swap_waiting;
      const cutovers = {};
      const rows = timeline.lanes.map((lane) => {
        const track = h('div', { class: 'track' });
        for (const seg of lane.segments) {
          const s = ms(seg.start);
          const e = seg.end ? ms(seg.end) : now;
          if (seg.kind === 'cutover') cutovers[lane.deployment] = [s, e];
          const mark = MARK_GLYPHS[seg.kind];
          const label = segmentLabel(seg);
          const el = h('div', { class: 'seg kind-' + seg.kind + (mark ? ' mark' : '') + (seg.end ? '' : ' open'),
            title: label + ' — ' + shortTime(s) + (mark ? '' : ' to ' + (seg.end ? shortTime(e) : 'now')),
            'data-kind': seg.kind }, h('span', { class: 'seg-label' }, mark ? mark + ' ' + label : label));
          el.style.left = pct(s) + '%';
          if (!mark) el.style.width = Math.max(pct(e) - pct(s), 0.3) + '%';
          if (seg.kind === 'copying' && seg.percent != null) {
            const bar = h('span', { class: 'progress', 'aria-hidden': 'true' });
            bar.style.width = Math.min(100, seg.percent) + '%';
            el.prepend(bar);
          }
          track.append(el);
        }
        const notes = [];
        const last = lane.segments[lane.segments.length - 1];
        if (last && last.error) notes.push(h('p', { class: 'error' }, words(last.kind) + ': ' + last.error));
        if (waiting[lane.deployment]) notes.push(h('p', { class: 'note' }, 'swap waiting: ' + waiting[lane.deployment]));
        return h('li', { class: 'lane', 'data-deployment': lane.deployment, 'data-state': lane.state },
          h('div', { class: 'lane-name' },
            h('span', { class: 'pos' }, String(lane.position + 1) + '.'), ' ',
            h('strong', { class: 'deployment' }, lane.deployment), ' ',
            stateBadge(lane.state), ' ',
            // While it runs, the step (copying, building indexes, verifying) says more.
            lane.state === 'running' && lane.phase ? h('span', { class: 'phase' }, words(lane.phase)) : null),
          track, notes);
      });
      // The gap between one swap's end and the next swap's start, drawn on the later lane.
      const byName = {};
      rows.forEach((row) => { byName[row.dataset.deployment] = row; });
      handoffs.replaceChildren(...(timeline.handoffs || []).map((hf) => {
        const from = cutovers[hf.from];
        const to = cutovers[hf.to];
        const text = hf.from + ' → ' + hf.to + ': ' + gapText(hf.gap_ms);
        if (from && to && byName[hf.to]) {
          const el = h('div', { class: 'handoff', title: 'handoff ' + text }, h('span', {}, gapText(hf.gap_ms)));
          el.style.left = pct(from[1]) + '%';
          el.style.width = Math.max(pct(to[0]) - pct(from[1]), 0.3) + '%';
          byName[hf.to].querySelector('.track').append(el);
        }
        return h('li', { class: 'handoff-item' }, text);
      }));
      if (!handoffs.children.length) handoffs.append(h('li', { class: 'muted' }, 'No swap has followed another yet.'));
      lanes.replaceChildren(...rows);
    }

    function segmentLabel(seg) {
      if (seg.kind === 'revert_window' && !seg.end && seg.seconds_left != null) {
        const left = seg.seconds_left - (performance.now() - receivedAt) / 1000;
        return 'revert window, ' + clock(left) + ' left';
      }
      return seg.label || KIND_NAMES[seg.kind] || words(seg.kind);
    }

    function confirmControl(verb) {
      const [, label, what] = CONTROLS.find(([v]) => v === verb);
      askConfirmation(label + ' apply ' + id + '?', what,
        page && page.apply ? 'The apply is ' + words(page.apply.state) + ' now.' : '', label,
        () => sendControl(verb, label));
    }

    async function sendControl(verb, label) {
      answer.textContent = label + ': sending…';
      answer.dataset.outcome = 'sending';
      try {
        const r = await api('v1/applies/' + encodeURIComponent(id) + '/' + verb, { method: 'POST' });
        const b = r.body || {};
        let text;
        if (b.outcome === 'accepted') text = 'accepted';
        else if (b.outcome === 'already_requested') text = 'already requested';
        else if (b.outcome === 'refused') text = 'refused: ' + (b.reason || 'no reason given');
        else text = 'error: ' + errorText(r);
        answer.textContent = label + ' — ' + text;
        answer.dataset.outcome = b.outcome || 'error';
      } catch (err) {
        if (err instanceof Unauthorized) return signOut('The server refused the token (401); sign in again.');
        answer.textContent = label + ' — cannot reach the API: ' + err.message;
        answer.dataset.outcome = 'error';
      }
    }

    const stopStream = openStream(id, {
      page(doc) {
        if (window.ordoConsole.firstPageAt == null) window.ordoConsole.firstPageAt = performance.now();
        page = doc; receivedAt = performance.now(); live = true; render(); setConn('live · ' + new Date().toLocaleTimeString()); },
      error(message, fatal) {
        if (fatal) head.replaceChildren(h('h1', {}, id), h('p', { class: 'error', role: 'alert' }, message));
        setConn(message, true);
      },
      down(text) { live = false; if (page) drawControls(); setConn(text, true); },
    });
    // Open segments grow with the clock and a revert window counts down: redrawn locally
    // each second, without asking the server.
    const ticker = setInterval(() => { if (page && !page.timeline.end) render(); }, 1000);
    return () => { stopStream(); clearInterval(ticker); };
  }

  function gapText(gapMs) {
    return gapMs < 1000 ? gapMs + ' ms' : (gapMs / 1000).toFixed(1) + ' s';
  }

  // Axis offsets (ms from the start) at a round step, at most ~8 of them.
  function ticks(span) {
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
    const step = (steps.find((s) => span / (s * 1000) <= 8) || 86400) * 1000;
    const out = [];
    for (let t = 0; t <= span; t += step) out.push(t);
    return out;
  }

  function legend() {
    return h('ul', { class: 'legend', 'aria-label': 'Legend' }, Object.entries(KIND_NAMES).map(([kind, name]) =>
      h('li', {}, h('span', { class: 'swatch seg kind-' + kind + (MARK_GLYPHS[kind] ? ' mark' : ''), 'aria-hidden': 'true' },
        MARK_GLYPHS[kind] || ''), name)));
  }

  // ---- the event stream -------------------------------------------------------------------

  // Reads GET v1/applies/ID/stream with fetch() and the Authorization header; reconnects
  // after a drop (1 s, doubling up to 15 s) and when nothing, not even a heartbeat, came
  // for STREAM_QUIET_MS. Returns the function that closes it.
  function openStream(id, on) {
    let closed = false;
    let controller = null;
    let retry = null;
    let quiet = null;
    let delay = 1000;
    function armQuiet() {
      clearTimeout(quiet);
      quiet = setTimeout(() => controller && controller.abort(new Error('nothing heard for 40 s')), STREAM_QUIET_MS);
    }
    function dispatch(block) {
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (!data.length) return;
      const doc = JSON.parse(data.join('\n'));
      if (event === 'page') on.page(doc);
      else if (event === 'error') on.error('The server cannot read the store: ' + doc.error.message, false);
    }
    async function connect() {
      if (closed) return;
      controller = new AbortController();
      try {
        const res = await fetch('v1/applies/' + encodeURIComponent(id) + '/stream', {
          headers: { Accept: 'text/event-stream', Authorization: 'Bearer ' + token() },
          cache: 'no-store', signal: controller.signal });
        if (res.status === 401) { closed = true; return signOut('The server refused the token (401); sign in again.'); }
        if (res.status === 404) { closed = true; return on.error('No apply ' + id + ' on this server.', true); }
        if (!res.ok || !res.body) {
          let message = 'HTTP ' + res.status;
          try { message = (await res.json()).error.message; } catch (_) { /* keep the status */ }
          throw new Error(message);
        }
        delay = 1000;
        armQuiet();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          armQuiet();
          buffer += value.replace(/\r\n/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
        throw new Error('the server closed the stream');
      } catch (err) {
        clearTimeout(quiet);
        if (closed) return;
        on.down('disconnected (' + (err && err.message ? err.message : err) + '); retrying in ' + delay / 1000 + ' s');
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15000);
      }
    }
    connect();
    return () => { closed = true; clearTimeout(retry); clearTimeout(quiet); if (controller) controller.abort(); };
  }

  // ---- the confirmation dialog --------------------------------------------------------

  const dialog = document.getElementById('confirm');
  let onConfirm = null;
  function askConfirmation(title, text, note, action, confirmed) {
    document.getElementById('confirm-title').textContent = title;
    document.getElementById('confirm-text').textContent = text;
    document.getElementById('confirm-note').textContent = note;
    document.getElementById('confirm-yes').textContent = action + ' (Enter)';
    onConfirm = confirmed;
    dialog.returnValue = '';
    dialog.showModal();
    document.getElementById('confirm-yes').focus();
  }
  dialog.addEventListener('close', () => {
    const confirmed = dialog.returnValue === 'ok' ? onConfirm : null;
    onConfirm = null;
    if (confirmed) confirmed();
  });

  // For tests and curious readers, in ms since the page began loading: when the apply's
  // page was opened, when its first document came and when it was drawn; how long
  // drawing took (the first time, the last time).
  window.ordoConsole = { renders: 0, lastRenderMs: null, firstRenderMs: null,
    viewStartedAt: null, firstPageAt: null, firstDrawnAt: null };
  route();
})();
