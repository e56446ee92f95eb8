// The modal a bot answered with, as a dialog: its text inputs, Submit (POST /api/modal) and Cancel
// (which, as in Discord, tells the bot nothing).
import { api, notify, page } from './connection.js';
import { $, el } from './dom.js';

let shownModal = null;
// Modals cancelled here, kept across reloads (a cancelled modal stays closed), the last 50.
const CLOSED_KEY = 'sandbox.closedModals';
const closedModals = new Set(readClosed());

function readClosed() {
  try { return JSON.parse(localStorage.getItem(CLOSED_KEY) || '[]'); } catch { return []; }
}

function close(id) {
  closedModals.add(id);
  try { localStorage.setItem(CLOSED_KEY, JSON.stringify([...closedModals].slice(-50))); } catch { /* private mode: this page only */ }
}

export function renderModal() {
  const open = page.state.interactions.find((i) => i.modal && !closedModals.has(i.id));
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
    close(open.id);
    box.hidden = true;
    try { await api('/api/modal', { interaction: open.id, values }); } catch (error) { notify(error.message); }
  };
  $('modal-cancel').onclick = () => {
    close(open.id);
    renderModal();
  };
}
