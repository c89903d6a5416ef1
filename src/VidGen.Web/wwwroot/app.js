// VidGen page: plain JavaScript, no build step and no downloads, so it works offline.
// The server is the source of truth: the page reads /api/jobs on load and whenever its event stream
// (re)connects, then applies "job", "progress" and "deleted" events. That is why a reload loses nothing.
'use strict';

const $ = (id) => document.getElementById(id);
const FORM_KEY = 'vidgen.form';
const FIELDS = ['prompt', 'negativePrompt', 'seed', 'steps', 'guidance', 'sampler', 'frames', 'fps', 'extend', 'then'];
const state = { info: null, jobs: new Map(), progress: new Map(), initImage: null };

/** Builds an element; text goes through textContent, never innerHTML, so prompts cannot inject markup. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch { /* 204 or not JSON */ }
  if (!res.ok) throw new Error(data && data.error ? data.error : `${res.status} ${res.statusText}`);
  return data;
}

// ---------- form ----------

function readForm() {
  const num = (id) => { const v = $(id).value.trim(); return v === '' ? null : Number(v); };
  return {
    prompt: $('prompt').value,
    negativePrompt: $('negativePrompt').value,
    seed: $('seed-random').checked ? 'random' : num('seed'),
    steps: num('steps'),
    guidance: num('guidance'),
    sampler: $('sampler').value,
    frames: num('frames'),
    fps: num('fps'),
    extend: $('extend').value || undefined,
    then: $('then').value.split('\n').map((l) => l.trim()).filter((l) => l !== ''),
  };
}

function fillForm(s) {
  for (const f of FIELDS) {
    if (f === 'seed' || s[f] === undefined || s[f] === null) continue;
    $(f).value = f === 'then' ? s[f].join('\n') : s[f];
  }
  const random = s.seed === 'random' || s.seed === undefined || s.seed === null;
  $('seed-random').checked = random;
  if (!random) $('seed').value = s.seed;
  $('seed').disabled = random;
}

function saveForm() {
  try { localStorage.setItem(FORM_KEY, JSON.stringify(readForm())); } catch { /* private mode */ }
}

function restoreForm() {
  try {
    const saved = JSON.parse(localStorage.getItem(FORM_KEY) || 'null');
    if (saved) fillForm(saved);
  } catch { /* ignore a damaged entry */ }
}

async function submit(event) {
  event.preventDefault();
  const error = $('form-error');
  const button = $('generate');
  button.disabled = true;
  try {
    // The picture goes with the job (as a data URL) but not into the saved form.
    const job = await api('POST', '/api/jobs', { ...readForm(), initImage: state.initImage || undefined });
    error.hidden = true;
    // The event stream may already have told a newer state (running) than this response (queued).
    if (!state.jobs.has(job.id)) state.jobs.set(job.id, job);
    saveForm();
    render();
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function reuse(job) {
  // Reuse reproduces: the seed that was drawn is filled in, not "random".
  fillForm({ ...job.settings, seed: job.settings.seed });
  saveForm();
  $('compose').scrollIntoView({ behavior: 'smooth' });
  $('prompt').focus();
}

// ---------- rendering ----------

const fmtSeconds = (s) => (s >= 90 ? `${Math.round(s / 60)} min` : `${Math.max(0, Math.ceil(s))} s`);

function settingsLine(s) {
  const then = s.then && s.then.length ? ` · then ${s.then.map((p) => `"${p}"`).join(', ')}` : '';
  const init = s.initImage ? ' · from a picture' : '';
  return `seed ${s.seed} · ${s.steps} steps · ${s.sampler} · guidance ${s.guidance} · ${s.frames} frames @ ${s.fps} fps${then}${init}`;
}

function sortedJobs(states) {
  return [...state.jobs.values()].filter((j) => states.includes(j.state));
}

async function cancel(job, button) {
  button.disabled = true;
  button.textContent = 'cancelling…';
  try {
    const updated = await api('POST', `/api/jobs/${job.id}/cancel`);
    if (updated) state.jobs.set(updated.id, updated);
    render();
  } catch (e) {
    button.textContent = e.message;
  }
}

async function remove(job) {
  try {
    await api('DELETE', `/api/jobs/${job.id}`);
    state.jobs.delete(job.id);
    render();
  } catch (e) {
    alert(e.message);
  }
}

function renderRunning() {
  const box = $('running');
  const job = sortedJobs(['running'])[0];
  if (!job) {
    if (box.dataset.id !== '') { box.dataset.id = ''; box.replaceChildren(el('p', { class: 'muted', text: 'Nothing running.' })); }
    return;
  }
  if (box.dataset.id !== job.id) {
    box.dataset.id = job.id;
    const cancelButton = el('button', { id: 'cancel', class: 'danger', type: 'button', text: 'Cancel' });
    cancelButton.addEventListener('click', () => cancel(job, cancelButton));
    box.replaceChildren(el('div', { class: 'running', 'data-id': job.id },
      el('div', { class: 'prompt', text: job.settings.prompt }),
      el('div', { class: 'settings muted', text: settingsLine(job.settings) }),
      el('img', { id: 'preview', class: 'preview', alt: 'current estimate of the video, frames side by side' }),
      el('div', { class: 'bar' }, el('div', { id: 'bar' })),
      el('div', { class: 'progress-line' }, el('span', { id: 'step', text: 'starting…' }), el('span', { id: 'eta' })),
      cancelButton));
  }
  const p = state.progress.get(job.id) || job.progress;
  if (!p) return;
  $('bar').style.width = `${(100 * p.step) / p.totalSteps}%`;
  $('step').textContent = `step ${p.step} / ${p.totalSteps}`;
  $('eta').textContent = p.step > 0 ? `~${fmtSeconds(p.etaSeconds)} left` : '';
  if (p.preview && $('preview').getAttribute('src') !== p.preview) $('preview').src = p.preview;
}

function renderQueue() {
  const waiting = sortedJobs(['queued']).sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  $('queue-count').textContent = waiting.length ? `(${waiting.length} waiting)` : '';
  $('queue').replaceChildren(...waiting.map((job) => {
    const button = el('button', { class: 'danger', type: 'button', text: 'Cancel' });
    button.addEventListener('click', () => cancel(job, button));
    return el('li', { 'data-id': job.id },
      el('span', { class: 'prompt', title: settingsLine(job.settings), text: job.settings.prompt }),
      button);
  }));
}

function card(job) {
  const s = job.settings;
  const media = job.state === 'done'
    ? el('img', { class: 'video', src: job.video, alt: s.prompt })
    : el('div', { class: 'placeholder' },
      el('div', {}, el('div', { class: `state ${job.state}`, text: job.state }), el('div', { text: job.error || '' })));
  const downloads = job.state === 'done'
    ? (state.info ? state.info.formats : Object.keys(job.downloads)).filter((f) => job.downloads[f]).map((f) =>
      el('a', { href: `${job.downloads[f]}?download=1`, download: '', text: f.toUpperCase(), title: `download as ${f}` }))
    : [];
  return el('article', { class: 'card', 'data-id': job.id, 'data-state': job.state },
    media,
    el('div', { class: 'prompt', text: s.prompt }),
    s.negativePrompt ? el('div', { class: 'settings', text: `not: ${s.negativePrompt}` }) : null,
    el('div', { class: 'settings', text: settingsLine(s) + (job.seconds != null ? ` · ${job.seconds.toFixed(1)} s` : '') }),
    job.unknownWords && job.unknownWords.length
      ? el('div', { class: 'warning', text: `the model does not know: ${job.unknownWords.join(', ')}` }) : null,
    el('div', { class: 'actions' },
      ...downloads,
      el('span', { class: 'spacer' }),
      el('button', { type: 'button', class: 'reuse', text: 'Reuse settings', onclick: () => reuse(job) }),
      el('button', { type: 'button', class: 'danger', text: 'Delete', title: 'delete this result from disk', onclick: () => remove(job) })));
}

function renderGallery() {
  const gallery = $('gallery');
  const finished = sortedJobs(['done', 'failed', 'cancelled']).sort((a, b) => (a.id < b.id ? 1 : -1));
  $('gallery-empty').hidden = finished.length > 0;
  // Keep existing cards (a re-created <img> would restart its GIF); build only new or changed ones.
  const existing = new Map([...gallery.children].map((c) => [c.dataset.id, c]));
  const cards = finished.map((job) => {
    const old = existing.get(job.id);
    return old && old.dataset.state === job.state ? old : card(job);
  });
  cards.forEach((c, i) => { if (gallery.children[i] !== c) gallery.insertBefore(c, gallery.children[i] || null); });
  while (gallery.children.length > cards.length) gallery.lastElementChild.remove();
}

function render() {
  renderRunning();
  renderQueue();
  renderGallery();
}

// ---------- live updates ----------

async function loadJobs() {
  const list = await api('GET', '/api/jobs');
  state.jobs = new Map(list.map((j) => [j.id, j]));
  for (const j of list) if (j.progress) state.progress.set(j.id, { id: j.id, ...j.progress });
  render();
}

function connect() {
  const badge = $('connection');
  const events = new EventSource('/api/events');
  events.onopen = () => {
    badge.textContent = 'live';
    badge.classList.add('live');
    loadJobs().catch(() => {});
  };
  events.onerror = () => {
    // EventSource reconnects by itself; the "open" handler then re-reads the jobs.
    badge.textContent = 'reconnecting…';
    badge.classList.remove('live');
  };
  events.addEventListener('job', (e) => {
    const job = JSON.parse(e.data);
    state.jobs.set(job.id, job);
    if (job.state !== 'running') state.progress.delete(job.id);
    render();
  });
  events.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    const old = state.progress.get(p.id);
    if (!p.preview && old) p.preview = old.preview; // previews are sent only when they change
    state.progress.set(p.id, p);
    const job = state.jobs.get(p.id);
    if (job && job.state === 'queued') { job.state = 'running'; render(); return; } // progress means it runs
    renderRunning();
  });
  events.addEventListener('deleted', (e) => {
    state.jobs.delete(JSON.parse(e.data).id);
    render();
  });
}

async function start() {
  $('job-form').addEventListener('submit', submit);
  $('job-form').addEventListener('change', saveForm);
  $('seed-random').addEventListener('change', () => { $('seed').disabled = $('seed-random').checked; });
  $('initImage').addEventListener('change', () => {
    const file = $('initImage').files[0];
    state.initImage = null;
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => { state.initImage = reader.result; };
    reader.readAsDataURL(file);
  });
  try {
    const info = state.info = await api('GET', '/api/info');
    $('model-info').textContent =
      `model ${info.model.name}: ${info.model.resolution}×${info.model.resolution}, ${info.model.frames} frames`;
    $('sampler').replaceChildren(...info.samplers.map((s) => el('option', { value: s, text: s })));
    $('extend').replaceChildren(...info.extendMethods.map((m) => el('option', { value: m, text: m })));
    fillForm({ ...info.defaults, seed: 'random' });
    $('frames').max = info.limits.frames[1];
    // The server's limits are the library's; the page's own min/max only stand in while it cannot be reached.
    for (const name of ['steps', 'guidance', 'fps']) [$(name).min, $(name).max] = info.limits[name];
    if (info.model.vocabulary.length) $('vocabulary').textContent = `The model knows: ${info.model.vocabulary.join(' ')}`;
    showExamples(info.model.examples || []);
  } catch (e) {
    $('model-info').textContent = `cannot reach the server: ${e.message}`;
  }
  restoreForm();
  connect();
}

// Example prompts of the model's world, per category; a click puts one in the prompt box.
function showExamples(groups) {
  if (!groups.length) return;
  $('examples').replaceChildren(el('span', { text: 'Try: ' }), ...groups.map((g) => el('span', { class: 'example-group' },
    el('span', { class: 'muted', text: `${g.category}: ` }),
    ...g.prompts.map((p) => {
      const b = el('button', { type: 'button', class: 'example', text: p });
      b.addEventListener('click', () => { $('prompt').value = p; $('prompt').focus(); saveForm(); });
      return b;
    }))));
}

start();
