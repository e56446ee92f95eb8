import { describe, expect, it } from 'vitest';
import { sanitizeText } from '../../src/discord/sanitize.ts';
import { plain, quote } from '../../src/discord/texts.ts';

describe('sanitizeText', () => {
  it('removes NUL, control characters and bidi overrides; keeps newlines, tabs, emoji and other scripts', () => {
    expect(sanitizeText('a\u0000b\u0007c\u001bd\u007fe\u0085f')).toBe('abcdef');
    expect(sanitizeText('star \u202Egnp.exe\u202C and \u2066x\u2069 \u200Fy\u200E')).toBe('star gnp.exe and x y');
    expect(sanitizeText('line\u2028two\u2029three')).toBe('line two three');
    expect(sanitizeText('a\tb\nc')).toBe('a\tb\nc');
    expect(sanitizeText('👩‍👩‍👧 نجمة حمراء 红色的星星')).toBe('👩‍👩‍👧 نجمة حمراء 红色的星星');
  });

  it('is what plain() and quote() put into messages', () => {
    expect(plain('a\u202E*b*\u0000')).toBe('a\\*b\\*');
    expect(quote('\u202Ered star')).toBe('**red star**');
  });
});
