// The command box: type / for the bot's commands, pick one (and its subcommand), fill in its
// options (files by drop or click), send it (POST /api/command); or send a plain message. Names and
// descriptions show in the viewer's language (the commands' localizations); what is sent keeps the
// default names, as Discord's client does.
import { api, notify, page, shown } from './connection.js';
import { $, COMMAND_TYPE, OPTION, el, formatBytes } from './dom.js';

let selected = null; // { command, path: [] } the slash command being filled in
const fileValues = new Map(); // option name → { filename, contentType, base64, previewUrl }
const input = $('command-input');
let menuIndex = 0;

function slashCommands() {
  return (page.state?.commands || []).filter((c) => c.type === COMMAND_TYPE.CHAT_INPUT);
}

/** The command a typed word names: by its name in the viewer's language, or its default name. */
const named = (word) => (c) => shown(c) === word || c.name === word;

/** The command line as the viewer sees it: /imaginer, /bataille lancer… */
function typedPath() {
  let options = selected.command.options || [];
  const words = [shown(selected.command)];
  for (const name of selected.path) {
    const sub = options.find((o) => o.name === name);
    words.push(shown(sub) ?? name);
    options = sub?.options || [];
  }
  return `/${words.join(' ')}`;
}

export function renderMenu() {
  const text = input.value;
  const menu = $('command-menu');
  if (!text.startsWith('/') || selected) { menu.hidden = true; return; }
  const word = text.slice(1).split(' ')[0].toLowerCase();
  const matches = slashCommands().filter((c) => shown(c).startsWith(word) || c.name.startsWith(word));
  if (!matches.length) {
    menu.replaceChildren(el('div', { class: 'command-choice', text: page.state.commands.length ? 'No command matches.' : 'The bot has not registered any command yet.' }));
    menu.hidden = false;
    return;
  }
  menuIndex = Math.min(menuIndex, matches.length - 1);
  menu.replaceChildren(...matches.map((c, i) =>
    el('div', { class: `command-choice${i === menuIndex ? ' active' : ''}`, 'data-command': c.name, onmousedown: (ev) => { ev.preventDefault(); pickCommand(c); } },
      el('b', { text: `/${shown(c)}` }), el('span', { class: 'd', text: shown(c, 'description') }))));
  menu.hidden = false;
}

function pickCommand(command, path = []) {
  selected = { command, path };
  input.value = `${typedPath()} `;
  $('command-menu').hidden = true;
  fileValues.clear();
  renderOptions();
  const first = $('options').querySelector('input:not([type=file]), select');
  (first || input).focus();
}

export function clearCommand() {
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
      el('div', { class: 'row' }, subs.map((s) => el('button', { type: 'button', class: 'component s2', 'data-subcommand': s.name, text: shown(s), title: shown(s, 'description'), onclick: () => pickCommand(selected.command, [...selected.path, s.name]) })))));
    return;
  }
  box.replaceChildren(...schema.map(optionField));
}

function optionField(o) {
  const label = el('label', { for: `opt-${o.name}` }, shown(o), o.required ? el('span', { class: 'req', text: ' *' }) : null);
  const description = shown(o, 'description');
  const common = { id: `opt-${o.name}`, name: `opt-${o.name}`, 'data-option': o.name, required: Boolean(o.required), title: description };
  let field;
  switch (o.type) {
    case OPTION.STRING:
      field = o.choices?.length
        ? el('select', common, el('option', { value: '', text: '—' }), o.choices.map((c) => el('option', { value: c.value, text: shown(c) })))
        : el('input', { ...common, type: 'text', maxlength: o.max_length, minlength: o.min_length, placeholder: description });
      break;
    case OPTION.INTEGER:
    case OPTION.NUMBER:
      field = o.choices?.length
        ? el('select', common, el('option', { value: '', text: '—' }), o.choices.map((c) => el('option', { value: c.value, text: shown(c) })))
        : el('input', { ...common, type: 'number', step: o.type === OPTION.INTEGER ? 1 : 'any', min: o.min_value, max: o.max_value, placeholder: [o.min_value, o.max_value].every((v) => v !== undefined) ? `${o.min_value}–${o.max_value}` : '' });
      break;
    case OPTION.BOOLEAN:
      field = el('select', common, el('option', { value: '', text: '—' }), el('option', { value: 'true', text: 'true' }), el('option', { value: 'false', text: 'false' }));
      break;
    case OPTION.USER:
    case OPTION.MENTIONABLE:
      field = el('select', common, el('option', { value: '', text: '—' }), page.state.users.map((u) => el('option', { value: u.id, text: u.name })), el('option', { value: page.state.bot.id, text: page.state.bot.name }));
      break;
    case OPTION.CHANNEL:
      field = el('select', common, el('option', { value: '', text: '—' }), el('option', { value: page.state.channel.id, text: `#${page.state.channel.name}` }));
      break;
    case OPTION.ATTACHMENT:
      return attachmentField(o, label, common, description);
    default:
      field = el('input', { ...common, type: 'text', placeholder: description });
  }
  return el('div', { class: `option${o.type === OPTION.STRING && !o.choices?.length && (o.max_length ?? 100) > 40 ? ' wide' : ''}` }, label, field, el('span', { class: 'desc', text: description }));
}

function attachmentField(o, label, common, description) {
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
  return el('div', { class: 'option' }, label, file, drop, el('span', { class: 'desc', text: description }));
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
  if (selected && !input.value.startsWith(typedPath())) clearCommand();
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
  if (!page.state) return;
  const text = input.value.trim();
  if (!selected) {
    if (!text) return;
    if (text.startsWith('/')) {
      const command = slashCommands().find(named(text.slice(1).split(' ')[0]));
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
    notify(`Pick a subcommand of /${shown(selected.command)}`);
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
      notify(`${typedPath()} needs ${shown(o)}`);
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

let shownLocale = null;

/** After new state: keep the form only if its command is still registered (a redeploy may drop it); a new language shows it anew in that language. */
export function commandsChanged(commands) {
  if (selected) {
    const still = commands.find((c) => c.name === selected.command.name && c.type === selected.command.type);
    if (!still) clearCommand();
    else if (shownLocale !== null && shownLocale !== page.state.locale) pickCommand(still, selected.path);
  }
  shownLocale = page.state.locale;
  if (!$('command-menu').hidden) renderMenu();
}
