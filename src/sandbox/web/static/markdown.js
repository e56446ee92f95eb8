// Discord's markdown as its client shows it: code, bold, italics, underline, strike, small text,
// quotes, mentions, <t:…> timestamps and links. Everything else is escaped.

/** `mentionNames`: user id → name for <@id>; `channel`: the channel <#id> names when it is this one. */
export function markdown(text, mentionNames, channel) {
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
      .replace(/&lt;#(\d+)&gt;/g, (_, id) => `<span class="mention">#${escape(id === channel?.id ? channel.name : 'channel')}</span>`)
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
