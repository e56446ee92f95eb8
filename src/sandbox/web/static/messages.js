// The channel's messages as Discord's client draws them: author, content, embeds, attachments,
// buttons, reactions, and each message's actions (add a reaction, Apps). Messages are redrawn
// only when they change, and the view follows the conversation while it is at the bottom.
import { api, notify, page, shown } from './connection.js';
import { $, COMMAND_TYPE, colour, el, formatBytes } from './dom.js';
import { markdown } from './markdown.js';

const REACTIONS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '🔁', '👍', '❤️', '🔥', '😂', '⭐'];
const dismissed = new Set(); // ephemeral messages dismissed here
const rendered = new Map(); // message id → { key, node }

/** Forgets what was drawn (another user sees other ephemeral messages and reactions). */
export function resetMessages() {
  rendered.clear();
  $('messages').replaceChildren();
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

export function renderMessages() {
  const box = $('messages');
  const atBottom = stuckToBottom;
  const visible = page.state.messages.filter((m) => !dismissed.has(m.id));
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
        : m.content ? el('div', { class: 'content', html: markdown(m.content, m.mention_names, page.state.channel) }, m.edited_timestamp ? el('span', { class: 'edited', text: ' (edited)' }) : null) : null,
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
    e.description ? el('div', { class: 'e-desc content', html: markdown(e.description, {}, page.state.channel) }) : null,
    e.fields?.length ? el('div', { class: 'e-fields' }, e.fields.map((f) => el('div', { class: `e-field${f.inline ? ' inline' : ''}` }, el('div', { class: 'n', html: markdown(f.name, {}, page.state.channel) }), el('div', { class: 'v content', html: markdown(f.value, {}, page.state.channel) })))) : null,
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
  const apps = page.state.commands.filter((c) => c.type === COMMAND_TYPE.MESSAGE);
  return el('div', { class: 'message-actions' },
    el('button', { type: 'button', title: 'Add reaction', text: '☺+', class: 'add-reaction', onclick: (ev) => openPicker(ev.currentTarget, REACTIONS.map((e) => el('button', { type: 'button', text: e, onclick: () => { closePicker(); react(m.id, e); } }))) }),
    apps.length ? el('button', { type: 'button', title: 'Apps', text: 'Apps ▾', class: 'apps', onclick: (ev) => openPicker(ev.currentTarget, apps.map((c) => el('button', { type: 'button', class: 'app', text: shown(c), onclick: () => { closePicker(); runMessageCommand(c.name, m.id); } }))) }) : null,
    el('button', { type: 'button', title: 'Copy Message Link', text: '🔗', class: 'copy-link', 'data-link': messageLink(m), onclick: () => copyLink(messageLink(m)) }));
}

/** The message's link as Discord writes it (what /show takes). */
function messageLink(m) {
  return `https://discord.com/channels/${page.state.guild.id}/${m.channel_id}/${m.id}`;
}

/** Copies the link; where the clipboard is refused, the notice shows it to copy by hand. */
async function copyLink(link) {
  try {
    await navigator.clipboard.writeText(link);
    notify(`Message link copied: ${link}`, 'info');
  } catch {
    notify(`Message link (copy it by hand): ${link}`, 'info');
  }
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
