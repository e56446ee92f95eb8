// The page's link to the sandbox server: the state it pushes (server-sent events) for the chosen
// user, the actions it posts (POST /api/…), and the notices shown when one fails.

/** What the page knows: the last state the server pushed, who is looking, whether the stream is live. */
export const page = {
  state: null,
  viewer: new URLSearchParams(location.search).get('user') || localStorage.getItem('sandbox-user') || null,
  live: false,
  /** { text, kind, at } shown above the composer. */
  notices: [],
};

/** Fires `state` (detail: the new state), `connection` and `notices`. */
export const changes = new EventTarget();

let events = null;

export function connect() {
  if (events) events.close();
  const query = page.viewer ? `?user=${encodeURIComponent(page.viewer)}` : '';
  events = new EventSource(`/api/events${query}`);
  events.addEventListener('state', (e) => changes.dispatchEvent(new CustomEvent('state', { detail: JSON.parse(e.data) })));
  events.addEventListener('open', () => setLive(true));
  events.addEventListener('error', () => setLive(false));
}

function setLive(live) {
  page.live = live;
  changes.dispatchEvent(new Event('connection'));
}

export function switchUser(id) {
  page.viewer = id;
  localStorage.setItem('sandbox-user', id);
  connect();
}

export async function api(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: page.state.viewer, ...body }) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error || `${res.status} ${res.statusText}`);
  return json;
}

/**
 * A command's, option's or choice's name (or description) as the viewer's Discord client shows it:
 * its localization for the viewer's locale, else the default. Interactions still send the default.
 */
export function shown(thing, field = 'name') {
  return thing?.[`${field}_localizations`]?.[page.state?.locale] ?? thing?.[field];
}

export function notify(text, kind = 'error') {
  const notices = page.notices;
  notices.push({ text, kind, at: Date.now() });
  while (notices.length > 3) notices.shift();
  changes.dispatchEvent(new Event('notices'));
  setTimeout(() => {
    const i = notices.findIndex((n) => n.text === text);
    if (i >= 0) notices.splice(i, 1);
    changes.dispatchEvent(new Event('notices'));
  }, 8000);
}
