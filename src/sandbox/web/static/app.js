// The sandbox page: renders the channel the server pushes (server-sent events) and turns what the
// person does into the local Discord's scenario calls (POST /api/…). No framework, no build step:
// ES modules by concern — connection.js (state stream, actions, notices), messages.js (the
// channel), command-box.js (commands and their options), modal.js, markdown.js, dom.js.
import { commandsChanged } from './command-box.js';
import { $, colour, el } from './dom.js';
import { api, changes, connect, notify, page, switchUser } from './connection.js';
import { renderMessages, resetMessages } from './messages.js';
import { renderModal } from './modal.js';

function render(next) {
  const userChanged = !page.state || page.state.viewer !== next.viewer;
  page.state = next;
  page.viewer = next.viewer;
  $('guild-name').textContent = next.guild.name;
  $('channel-name').textContent = next.channel.name;
  $('channel-link').textContent = `# ${next.channel.name}`;
  document.title = `#${next.channel.name} · unclip sandbox`;
  renderUsers();
  renderLanguage();
  renderConnection();
  if (userChanged) resetMessages();
  renderMessages();
  renderStatus();
  renderModal();
  commandsChanged(next.commands);
}

function renderConnection() {
  const c = $('connection');
  const { live, state } = page;
  const bot = state?.bot;
  c.textContent = !live ? 'reconnecting…' : !bot ? 'live' : !bot.online ? `live · waiting for ${bot.name} to connect` : state.commands.length ? `live · ${bot.name} online` : `live · ${bot.name} is registering its commands`;
  c.classList.toggle('live', live);
}

function renderUsers() {
  const { state } = page;
  $('users').replaceChildren(
    ...state.users.map((u) =>
      el('label', { class: u.id === state.viewer ? 'me' : '', 'data-user': u.username },
        el('input', { type: 'radio', name: 'user', value: u.id, checked: u.id === state.viewer, onchange: () => switchUser(u.id) }),
        el('span', { class: 'avatar-dot', style: `color:${colour(u.id)}`, text: '●' }),
        u.name)),
  );
}

/** The viewer's Discord client language: the bot answers in it, and the commands show its names. */
function renderLanguage() {
  const select = $('language');
  const { state } = page;
  if (select.dataset.viewer === state.viewer && select.value === state.locale) return;
  select.dataset.viewer = state.viewer;
  select.replaceChildren(...state.languages.map((l) => el('option', { value: l.locale, text: l.name, selected: l.locale === state.locale })));
  select.value = state.locale;
}

$('language').addEventListener('change', (ev) => {
  api('/api/locale', { locale: ev.target.value }).catch((error) => notify(error.message));
});

/** Interactions on their way or failed (no answer within 3 s), and the page's own notices. */
function renderStatus() {
  if (!page.state) return;
  const lines = [];
  for (const i of page.state.interactions) {
    if (i.status === 'pending') lines.push(el('div', { class: 'pending', text: `Sending ${i.label}…` }));
    else if (i.status === 'failed') lines.push(el('div', { class: 'failed', text: `${i.label}: this interaction failed (the bot did not answer within 3 seconds)` }));
  }
  for (const n of page.notices) lines.push(el('div', { class: n.kind, text: n.text }));
  $('status').replaceChildren(...lines);
}

changes.addEventListener('state', (e) => render(e.detail));
changes.addEventListener('connection', renderConnection);
changes.addEventListener('notices', renderStatus);
connect();
