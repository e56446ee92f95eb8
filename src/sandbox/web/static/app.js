// The sandbox page: renders the channel the server pushes (server-sent events) and turns what the
// person does into the local Discord's scenario calls (POST /api/…). No framework, no build step.

const OPTION = { SUB_COMMAND: 1, SUB_COMMAND_GROUP: 2, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6, CHANNEL: 7, ROLE: 8, MENTIONABLE: 9, NUMBER: 10, ATTACHMENT: 11 };
const COMMAND_TYPE = { CHAT_INPUT: 1, MESSAGE: 3 };
const REACTIONS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🔁', '👍', '❤️', '🔥', '😂', '⭐'];
const AVATAR_COLOURS = ['#5865f2', '#3ba55c', '#faa61a', '#ed4245', '#eb459e', '#747f8d'];

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'html') node.innerHTML = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
};

let state = null;
let viewer = new URLSearchParams(location.search).get('user') || localStorage.getItem('sandbox-user') || null;
let events = null;
let selected = null; // { command, path: [] } the slash command being filled in
const fileValues = new Map(); // option name → { filename, contentType, base64, previewUrl }
const dismissed = new Set(); // ephemeral messages dismissed here
const notices = []; // { text, kind } shown above the composer
const rendered = new Map(); // message id → { key, node }
let shownModal = null;
const closedModals = new Set(); // modals cancelled here (Discord tells the bot nothing either)

// ------------------------------------------------------------------ connection

function connect() {
  if (events) events.close();
  const query = viewer ? `?user=${encodeURIComponent(viewer)}` : '';
  events = new EventSource(`/api/events${query}`);
  events.addEventListener('state', (e) => render(JSON.parse(e.data)));
  events.addEventListener('open', () => setConnection(true));
  events.addEventListener('error', () => setConnection(false));
}

let live = false;
function setConnection(isLive) {
  live = isLive;
  const c = $('connection');
  const bot = state?.bot;
  c.textContent = !live ? 'reconnecting…' : !bot ? 'live' : !bot.online ? `live · waiting for ${bot.name} to connect` : state.commands.length ? `live · ${bot.name} online` : `live · ${bot.name} is registering its commands`;
  c.classList.toggle('live', live);
}

async function api(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: state.viewer, ...body }) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error || `${res.status} ${res.statusText}`);
  return json;
}

function notify(text, kind = 'error') {
  notices.push({ text, kind, at: Date.now() });
  while (notices.length > 3) notices.shift();
  renderStatus();
  setTimeout(() => {
    const i = notices.findIndex((n) => n.text === text);
    if (i >= 0) notices.splice(i, 1);
    renderStatus();
  }, 8000);
}

// ------------------------------------------------------------------ rendering

function render(next) {
  const userChanged = !state || state.viewer !== next.viewer;
  state = next;
  viewer = next.viewer;
  $('guild-name').textContent = next.guild.name;
  $('channel-name').textContent = next.channel.name;
  $('channel-link').textContent = `# ${next.channel.name}`;
  document.title = `#${next.channel.name} · unclip sandbox`;
  renderUsers();
  setConnection(live);
  if (userChanged) {
    rendered.clear();
    $('messages').replaceChildren();
  }
  renderMessages();
  renderStatus();
  renderModal();
  if (selected) {
    // The registered commands may have changed (a redeploy): keep the form only if the command still exists.
    const still = next.commands.find((c) => c.name === selected.command.name && c.type === selected.command.type);
    if (!still) clearCommand();
  }
  if (!$('command-menu').hidden) renderMenu();
}

function renderUsers() {
  const box = $('users');
  box.replaceChildren(
    ...state.users.map((u) =>
      el('label', { class: u.id === state.viewer ? 'me' : '', 'data-user': u.username },
        el('input', { type: 'radio', name: 'user', value: u.id, checked: u.id === state.viewer, onchange: () => switchUser(u.id) }),
        el('span', { class: 'avatar-dot', style: `color:${colour(u.id)}`, text: '●' }),
        u.name)),
  );
}

function switchUser(id) {
  viewer = id;
  localStorage.setItem('sandbox-user', id);
  connect();
}

// Follow the conversation while the person is at the bottom, also when an image loads later.
// Only the person scrolling away unsticks it: layout changes (an edit, an image) never do.
let stuckToBottom = true;
let userScrollAt = 0;
for (const type of ['wheel', 'touchstart', 'keydown']) $('messages').addEventListener(type, () => { userScrollAt = Date.now(); }, { passive: true });
$('messages').addEventListener('mousedown', (ev) => {
  if (ev.target === ev.currentTarget && ev.offsetX >= ev.currentTarget.clientWidth) userScrollAt = Date.now(); // the scrollbar
});
$('messages').addEventListener('scroll', () => {
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  if (atBottom) stuckToBottom = true;
  else if (Date.now() - userScrollAt < 1500) stuckToBottom = false;
});
function keepAtBottom() {
  const box = $('messages');
  if (stuckToBottom) box.scrollTop = box.scrollHeight;
}

function renderMessages() {
  const box = $('messages');
  const atBottom = stuckToBottom;
  const visible = state.messages.filter((m) => !dismissed.has(m.id));
  if (visible.length === 0) {
    box.replaceChildren(el('div', { class: 'empty', text: 'No messages yet. Type / and pick a command, e.g. /imagine.' }));
    rendered.clear();
    return;
  }
  box.querySelector('.empty')?.remove();
  const keep = new Set(visible.map((m) => m.id));
  for (const [id, r] of rendered) if (!keep.has(id)) { r.node.remove(); rendered.delete(id); }
  let previous = null;
  for (const m of visible) {
    const key = JSON.stringify(m);
    let r = rendered.get(m.id);
    if (!r || r.key !== key) {
      const node = messageNode(m);
      if (r) r.node.replaceWith(node);
      r = { key, node };
      rendered.set(m.id, r);
    }
    const expectedPrev = previous ? previous.nextSibling : box.firstChild;
    if (expectedPrev !== r.node) box.insertBefore(r.node, expectedPrev);
    previous = r.node;
  }
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function messageNode(m) {
  const author = m.author;
  const name = author.global_name || author.username;
  const meta = m.interaction_metadata || m.interaction;
  const used = meta && meta.user ? usedLine(meta.type, meta.user, m.interaction?.name) : null;
  const embedImages = new Set(m.embeds.flatMap((e) => [e.image?.url, e.thumbnail?.url]).filter((u) => u?.startsWith('attachment://')).map((u) => u.slice('attachment://'.length)));
  const node = el('article', { class: `message${m.ephemeral ? ' ephemeral' : ''}`, 'data-id': m.id, 'data-author': author.username },
    used,
    el('div', { class: 'avatar', style: `background:${colour(author.id)}`, text: name.slice(0, 1).toUpperCase() }),
    el('div', { class: 'body' },
      el('div', { class: 'head' },
        el('span', { class: 'author', text: name }),
        author.bot ? el('span', { class: 'tag', text: 'APP' }) : null,
        el('span', { class: 'time', text: new Date(m.timestamp).toLocaleTimeString() })),
      m.loading
        ? el('div', { class: 'loading', text: `${name} is thinking…` })
        : m.content ? el('div', { class: 'content', html: markdown(m.content, m.mention_names) }, m.edited_timestamp ? el('span', { class: 'edited', text: ' (edited)' }) : null) : null,
      m.embeds.length ? m.embeds.map((e) => embedNode(e, m.attachments)) : null,
      attachmentsNode(m.attachments.filter((a) => !embedImages.has(a.filename))),
      componentsNode(m),
      reactionsNode(m),
      m.ephemeral ? el('div', { class: 'ephemeral-note' }, 'Only you can see this · ', el('button', { type: 'button', text: 'Dismiss message', onclick: () => { dismissed.add(m.id); renderMessages(); } })) : null),
    actionsNode(m));
  return node;
}

/** Discord's line above an interaction's reply: who used which command, or clicked, or submitted. */
function usedLine(type, user, name) {
  const who = el('b', { text: user.global_name || user.username });
  if (type === 2 && name) return el('div', { class: 'used' }, who, ' used ', el('span', { class: 'cmd', text: /^[\w-]+( [\w-]+)*$/.test(name) && name === name.toLowerCase() ? `/${name}` : name }));
  if (type === 3) return el('div', { class: 'used' }, who, ' clicked a button');
  if (type === 5) return el('div', { class: 'used' }, who, ' submitted a form');
  return el('div', { class: 'used' }, who, ' used an app');
}

function embedNode(e, attachments) {
  const resolve = (url) => {
    if (!url) return null;
    if (!url.startsWith('attachment://')) return url;
    const a = attachments.find((x) => x.filename === url.slice('attachment://'.length));
    return a ? a.url : null;
  };
  const image = resolve(e.image?.url);
  const thumb = resolve(e.thumbnail?.url);
  const colourHex = typeof e.color === 'number' ? `#${e.color.toString(16).padStart(6, '0')}` : null;
  return el('div', { class: 'embed', style: colourHex ? `border-left-color:${colourHex}` : null },
    e.author?.name ? el('div', { class: 'e-author', text: e.author.name }) : null,
    e.title ? el('div', { class: 'e-title' }, e.url ? el('a', { href: e.url, target: '_blank', rel: 'noreferrer', text: e.title }) : e.title) : null,
    e.description ? el('div', { class: 'e-desc content', html: markdown(e.description, {}) }) : null,
    e.fields?.length ? el('div', { class: 'e-fields' }, e.fields.map((f) => el('div', { class: `e-field${f.inline ? ' inline' : ''}` }, el('div', { class: 'n', html: markdown(f.name, {}) }), el('div', { class: 'v content', html: markdown(f.value, {}) })))) : null,
    thumb ? el('img', { class: 'e-image', src: thumb, alt: 'thumbnail' }) : null,
    image ? el('img', { class: 'e-image', src: image, alt: e.title || 'embed image', onload: keepAtBottom }) : null,
    e.footer?.text ? el('div', { class: 'e-footer', text: e.footer.text }) : null);
}

function attachmentsNode(list) {
  if (!list.length) return null;
  return el('div', { class: 'attachments' }, list.map((a) =>
    (a.content_type || '').startsWith('image/')
      ? el('a', { class: 'attachment image', href: a.url, target: '_blank', rel: 'noreferrer' }, el('img', { src: a.url, alt: a.filename, title: a.filename, onload: keepAtBottom }))
      : el('div', { class: 'attachment file' }, el('a', { href: a.url, download: a.filename, text: `📄 ${a.filename}` }), ` (${formatBytes(a.size)})`)));
}

function componentsNode(m) {
  const rows = (m.components || []).filter((r) => r.type === 1);
  if (!rows.length && !(m.components || []).length) return null;
  return el('div', { class: 'components' },
    rows.map((row) => el('div', { class: 'row' }, row.components.map((c) => componentNode(m, c)))),
    (m.components || []).some((r) => r.type !== 1) ? el('div', { class: 'unsupported', text: '(this message has components the sandbox does not draw)' }) : null);
}

function componentNode(m, c) {
  if (c.type !== 2) return el('span', { class: 'unsupported', text: `(a ${c.type === 3 ? 'select menu' : 'component'} the sandbox does not draw)` });
  const label = [c.emoji?.name, c.label].filter(Boolean).join(' ');
  if (c.style === 5) return el('a', { class: 'component s5', href: c.url, target: '_blank', rel: 'noreferrer', text: `${label} ↗` });
  if (c.style === 6) return el('button', { class: 'component s1', type: 'button', disabled: true, text: label || 'premium' });
  return el('button', {
    class: `component s${c.style}`, type: 'button', disabled: Boolean(c.disabled), 'data-custom-id': c.custom_id, text: label,
    onclick: async (ev) => {
      const button = ev.currentTarget;
      button.disabled = true; // one click at a time, as Discord's client does while it sends
      try { await api('/api/click', { message: m.id, customId: c.custom_id }); } catch (error) { notify(error.message); } finally { button.disabled = Boolean(c.disabled); }
    },
  });
}

function reactionsNode(m) {
  const list = m.reactions || [];
  if (!list.length || m.ephemeral) return null;
  return el('div', { class: 'reactions' }, list.map((r) =>
    el('button', { class: `reaction${r.me ? ' me' : ''}`, type: 'button', 'data-emoji': r.emoji.name, title: r.me ? 'Remove your reaction' : 'React', onclick: () => react(m.id, r.emoji.name) },
      el('span', { text: r.emoji.name }), el('span', { class: 'count', text: String(r.count) }))));
}

function actionsNode(m) {
  if (m.ephemeral || m.loading) return null;
  const apps = state.commands.filter((c) => c.type === COMMAND_TYPE.MESSAGE);
  return el('div', { class: 'message-actions' },
    el('button', { type: 'button', title: 'Add reaction', text: '☺+', class: 'add-reaction', onclick: (ev) => openPicker(ev.currentTarget, REACTIONS.map((e) => el('button', { type: 'button', text: e, onclick: () => { closePicker(); react(m.id, e); } }))) }),
    apps.length ? el('button', { type: 'button', title: 'Apps', text: 'Apps ▾', class: 'apps', onclick: (ev) => openPicker(ev.currentTarget, apps.map((c) => el('button', { type: 'button', class: 'app', text: c.name, onclick: () => { closePicker(); runMessageCommand(c.name, m.id); } }))) }) : null);
}

async function react(messageId, emoji) {
  try { await api('/api/react', { message: messageId, emoji }); } catch (error) { notify(error.message); }
}

async function runMessageCommand(name, messageId) {
  try { await api('/api/message-command', { command: name, message: messageId }); } catch (error) { notify(error.message); }
}

function openPicker(anchor, children) {
  const picker = $('picker');
  picker.replaceChildren(...children);
  picker.hidden = false;
  const box = anchor.getBoundingClientRect();
  picker.style.top = `${Math.max(8, box.top - picker.offsetHeight - 4)}px`;
  picker.style.left = `${Math.max(8, box.right - picker.offsetWidth)}px`;
}
function closePicker() { $('picker').hidden = true; }
document.addEventListener('click', (ev) => {
  if (!$('picker').hidden && !$('picker').contains(ev.target) && !ev.target.closest('.message-actions')) closePicker();
});

function renderStatus() {
  if (!state) return;
  const lines = [];
  for (const i of state.interactions) {
    if (i.status === 'pending') lines.push(el('div', { class: 'pending', text: `Sending ${i.label}…` }));
    else if (i.status === 'failed') lines.push(el('div', { class: 'failed', text: `${i.label}: this interaction failed (the bot did not answer within 3 seconds)` }));
  }
  for (const n of notices) lines.push(el('div', { class: n.kind, text: n.text }));
  $('status').replaceChildren(...lines);
}

function renderModal() {
  const open = state.interactions.find((i) => i.modal && !closedModals.has(i.id));
  const box = $('modal');
  if (!open) {
    box.hidden = true;
    shownModal = null;
    return;
  }
  if (shownModal === open.id) return;
  shownModal = open.id;
  $('modal-title').textContent = open.modal.title;
  const inputs = [];
  for (const row of open.modal.components) {
    // Action rows of text inputs, or the newer Label components wrapping one.
    const items = row.components ? row.components.map((c) => ({ c, label: c.label })) : row.component ? [{ c: row.component, label: row.label }] : [];
    for (const { c, label } of items) {
      if (c.type !== 4) continue;
      const attrs = { name: c.custom_id, placeholder: c.placeholder, required: c.required !== false, minlength: c.min_length, maxlength: c.max_length };
      const input = c.style === 2 ? el('textarea', { ...attrs, rows: 3 }) : el('input', attrs);
      input.value = c.value || '';
      inputs.push(el('label', {}, label || c.custom_id, input));
    }
  }
  $('modal-fields').replaceChildren(...inputs);
  box.hidden = false;
  box.querySelector('input, textarea')?.focus();
  $('modal-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries([...$('modal-fields').querySelectorAll('input, textarea')].map((i) => [i.name, i.value]));
    closedModals.add(open.id);
    box.hidden = true;
    try { await api('/api/modal', { interaction: open.id, values }); } catch (error) { notify(error.message); }
  };
  $('modal-cancel').onclick = () => {
    closedModals.add(open.id);
    renderModal();
  };
}

// ------------------------------------------------------------------ the command box

const input = $('command-input');
let menuIndex = 0;

function slashCommands() {
  return (state?.commands || []).filter((c) => c.type === COMMAND_TYPE.CHAT_INPUT);
}

function renderMenu() {
  const text = input.value;
  const menu = $('command-menu');
  if (!text.startsWith('/') || selected) { menu.hidden = true; return; }
  const word = text.slice(1).split(' ')[0].toLowerCase();
  const matches = slashCommands().filter((c) => c.name.startsWith(word));
  if (!matches.length) {
    menu.replaceChildren(el('div', { class: 'command-choice', text: state.commands.length ? 'No command matches.' : 'The bot has not registered any command yet.' }));
    menu.hidden = false;
    return;
  }
  menuIndex = Math.min(menuIndex, matches.length - 1);
  menu.replaceChildren(...matches.map((c, i) =>
    el('div', { class: `command-choice${i === menuIndex ? ' active' : ''}`, 'data-command': c.name, onmousedown: (ev) => { ev.preventDefault(); pickCommand(c); } },
      el('b', { text: `/${c.name}` }), el('span', { class: 'd', text: c.description }))));
  menu.hidden = false;
}

function pickCommand(command, path = []) {
  selected = { command, path };
  input.value = `/${[command.name, ...path].join(' ')} `;
  $('command-menu').hidden = true;
  fileValues.clear();
  renderOptions();
  const first = $('options').querySelector('input:not([type=file]), select');
  (first || input).focus();
}

function clearCommand() {
  selected = null;
  fileValues.clear();
  $('options').replaceChildren();
}

/** The options of the chosen command, or of its chosen subcommand. */
function currentSchema() {
  let options = selected.command.options || [];
  for (const name of selected.path) options = (options.find((o) => o.name === name)?.options) || [];
  return options;
}

function renderOptions() {
  const box = $('options');
  const schema = currentSchema();
  const subs = schema.filter((o) => o.type === OPTION.SUB_COMMAND || o.type === OPTION.SUB_COMMAND_GROUP);
  if (subs.length) {
    box.replaceChildren(el('div', { class: 'option wide' },
      el('label', { text: 'subcommand' }),
      el('div', { class: 'row' }, subs.map((s) => el('button', { type: 'button', class: 'component s2', 'data-subcommand': s.name, text: s.name, title: s.description, onclick: () => pickCommand(selected.command, [...selected.path, s.name]) })))));
    return;
  }
  box.replaceChildren(...schema.map(optionField));
}

function optionField(o) {
  const label = el('label', { for: `opt-${o.name}` }, o.name, o.required ? el('span', { class: 'req', text: ' *' }) : null);
  const common = { id: `opt-${o.name}`, name: `opt-${o.name}`, 'data-option': o.name, required: Boolean(o.required), title: o.description };
  let field;
  switch (o.type) {
    case OPTION.STRING:
      field = o.choices?.length
        ? el('select', common, el('option', { value: '', text: '—' }), o.choices.map((c) => el('option', { value: c.value, text: c.name })))
        : el('input', { ...common, type: 'text', maxlength: o.max_length, minlength: o.min_length, placeholder: o.description });
      break;
    case OPTION.INTEGER:
    case OPTION.NUMBER:
      field = o.choices?.length
        ? el('select', common, el('option', { value: '', text: '—' }), o.choices.map((c) => el('option', { value: c.value, text: c.name })))
        : el('input', { ...common, type: 'number', step: o.type === OPTION.INTEGER ? 1 : 'any', min: o.min_value, max: o.max_value, placeholder: [o.min_value, o.max_value].every((v) => v !== undefined) ? `${o.min_value}–${o.max_value}` : '' });
      break;
    case OPTION.BOOLEAN:
      field = el('select', common, el('option', { value: '', text: '—' }), el('option', { value: 'true', text: 'true' }), el('option', { value: 'false', text: 'false' }));
      break;
    case OPTION.USER:
    case OPTION.MENTIONABLE:
      field = el('select', common, el('option', { value: '', text: '—' }), state.users.map((u) => el('option', { value: u.id, text: u.name })), el('option', { value: state.bot.id, text: state.bot.name }));
      break;
    case OPTION.CHANNEL:
      field = el('select', common, el('option', { value: '', text: '—' }), el('option', { value: state.channel.id, text: `#${state.channel.name}` }));
      break;
    case OPTION.ATTACHMENT:
      return attachmentField(o, label, common);
    default:
      field = el('input', { ...common, type: 'text', placeholder: o.description });
  }
  return el('div', { class: `option${o.type === OPTION.STRING && !o.choices?.length && (o.max_length ?? 100) > 40 ? ' wide' : ''}` }, label, field, el('span', { class: 'desc', text: o.description }));
}

function attachmentField(o, label, common) {
  // Not `required`: the browser cannot point at a hidden input; the submit handler checks it instead.
  const file = el('input', { ...common, required: false, type: 'file', hidden: true });
  const drop = el('div', { class: 'drop', 'data-drop': o.name, tabindex: 0, text: 'Drop a file here or click to choose' });
  const set = async (f) => {
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const previous = fileValues.get(o.name);
    if (previous?.previewUrl) URL.revokeObjectURL(previous.previewUrl);
    const previewUrl = f.type.startsWith('image/') ? URL.createObjectURL(f) : null;
    fileValues.set(o.name, { filename: f.name, base64: btoa(binary), previewUrl });
    drop.classList.add('has-file');
    drop.replaceChildren(`${f.name} (${formatBytes(f.size)})`, previewUrl ? el('img', { src: previewUrl, alt: f.name }) : null);
  };
  file.addEventListener('change', () => set(file.files?.[0]));
  drop.addEventListener('click', () => file.click());
  drop.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); file.click(); } });
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => { ev.preventDefault(); ev.stopPropagation(); drop.classList.remove('over'); set(ev.dataTransfer?.files?.[0]); });
  return el('div', { class: 'option' }, label, file, drop, el('span', { class: 'desc', text: o.description }));
}

// A file dropped anywhere on the composer fills the first empty attachment option.
$('composer').addEventListener('dragover', (ev) => ev.preventDefault());
$('composer').addEventListener('drop', (ev) => {
  ev.preventDefault();
  const f = ev.dataTransfer?.files?.[0];
  if (!f || !selected) return;
  const target = [...$('options').querySelectorAll('[data-drop]')].find((d) => !fileValues.has(d.dataset.drop));
  if (!target) return;
  const fileInput = target.parentElement.querySelector('input[type=file]');
  const dt = new DataTransfer();
  dt.items.add(f);
  fileInput.files = dt.files;
  fileInput.dispatchEvent(new Event('change'));
});

input.addEventListener('input', () => {
  if (selected && !input.value.startsWith(`/${[selected.command.name, ...selected.path].join(' ')}`)) clearCommand();
  menuIndex = 0;
  renderMenu();
});
input.addEventListener('keydown', (ev) => {
  const menu = $('command-menu');
  if (menu.hidden) return;
  const choices = [...menu.querySelectorAll('[data-command]')];
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    menuIndex = (menuIndex + (ev.key === 'ArrowDown' ? 1 : -1) + choices.length) % Math.max(choices.length, 1);
    renderMenu();
  } else if ((ev.key === 'Enter' || ev.key === 'Tab') && choices.length) {
    ev.preventDefault();
    const name = choices[menuIndex]?.dataset.command;
    const command = slashCommands().find((c) => c.name === name);
    if (command) pickCommand(command);
  } else if (ev.key === 'Escape') {
    menu.hidden = true;
  }
});
// Late enough for a click on the menu to land; not if the input has its focus back by then (typing a
// new command right after sending one would otherwise lose the menu).
input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) $('command-menu').hidden = true; }, 150));
input.addEventListener('focus', () => renderMenu());

$('composer').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!state) return;
  const text = input.value.trim();
  if (!selected) {
    if (!text) return;
    if (text.startsWith('/')) {
      const command = slashCommands().find((c) => c.name === text.slice(1).split(' ')[0]);
      if (command) pickCommand(command);
      else notify(`There is no command ${text.split(' ')[0]}`);
      return;
    }
    try {
      await api('/api/post', { content: text });
      input.value = '';
    } catch (error) { notify(error.message); }
    return;
  }
  const schema = currentSchema();
  if (schema.some((o) => o.type === OPTION.SUB_COMMAND || o.type === OPTION.SUB_COMMAND_GROUP)) {
    notify(`Pick a subcommand of /${selected.command.name}`);
    return;
  }
  const options = {};
  for (const o of schema) {
    if (o.type === OPTION.ATTACHMENT) {
      const f = fileValues.get(o.name);
      if (f) options[o.name] = { filename: f.filename, base64: f.base64 };
    } else {
      const field = $('options').querySelector(`[data-option="${CSS.escape(o.name)}"]`);
      const raw = field?.value ?? '';
      if (raw === '') continue;
      if (o.type === OPTION.INTEGER || o.type === OPTION.NUMBER) options[o.name] = Number(raw);
      else if (o.type === OPTION.BOOLEAN) options[o.name] = raw === 'true';
      else options[o.name] = raw;
    }
    if (o.required && !(o.name in options)) {
      notify(`/${selected.command.name} needs ${o.name}`);
      return;
    }
  }
  const sendButton = $('send');
  sendButton.disabled = true;
  try {
    await api('/api/command', { command: selected.command.name, path: selected.path, options });
    input.value = '';
    clearCommand();
  } catch (error) {
    notify(error.message);
  } finally {
    sendButton.disabled = false;
  }
});

// Enter inside an option field sends the command, as in Discord.
$('options').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && ev.target instanceof HTMLInputElement && ev.target.type !== 'file') {
    ev.preventDefault();
    $('composer').requestSubmit();
  }
});

// ------------------------------------------------------------------ small helpers

function markdown(text, mentionNames) {
  const escape = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const blocks = text.split(/```(?:\w*\n)?([\s\S]*?)```/);
  return blocks.map((part, i) => {
    if (i % 2 === 1) return `<pre>${escape(part)}</pre>`;
    return escape(part)
      .replace(/`([^`\n]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*\n]+)\*\*/g, '<b>$1</b>')
      .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1<i>$2</i>')
      .replace(/__([^_\n]+)__/g, '<u>$1</u>')
      .replace(/~~([^~\n]+)~~/g, '<s>$1</s>')
      .replace(/^-# (.*)$/gm, '<small>$1</small>')
      .replace(/^&gt; (.*)$/gm, '<span class="quote">│ $1</span>')
      .replace(/&lt;@!?(\d+)&gt;/g, (_, id) => `<span class="mention">@${escape(mentionNames?.[id] || 'user')}</span>`)
      .replace(/&lt;#(\d+)&gt;/g, (_, id) => `<span class="mention">#${escape(id === state?.channel.id ? state.channel.name : 'channel')}</span>`)
      .replace(/&lt;@&amp;(\d+)&gt;/g, '<span class="mention">@role</span>')
      .replace(/&lt;t:(-?\d+)(?::([tTdDfFR]))?&gt;/g, (_, secs, style) => `<time class="timestamp" datetime="${new Date(Number(secs) * 1000).toISOString()}">${escape(timestamp(Number(secs), style || 'f'))}</time>`)
      .replace(/@(everyone|here)\b/g, '<span class="mention">@$1</span>')
      .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noreferrer">$1</a>');
  }).join('');
}

/** Discord's <t:seconds:style> timestamps, as its client shows them. */
function timestamp(secs, style) {
  const date = new Date(secs * 1000);
  if (style === 'R') {
    const diff = Math.round((secs * 1000 - Date.now()) / 1000);
    const units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
    const [unit, size] = units.find(([, n]) => Math.abs(diff) >= n) || ['second', 1];
    return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(Math.round(diff / size), unit);
  }
  const formats = {
    t: { timeStyle: 'short' }, T: { timeStyle: 'medium' }, d: { dateStyle: 'short' }, D: { dateStyle: 'long' },
    f: { dateStyle: 'long', timeStyle: 'short' }, F: { dateStyle: 'full', timeStyle: 'short' },
  };
  return new Intl.DateTimeFormat(undefined, formats[style] || formats.f).format(date);
}

function colour(id) {
  let h = 0;
  for (const ch of String(id)) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return AVATAR_COLOURS[h % AVATAR_COLOURS.length];
}

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

connect();
