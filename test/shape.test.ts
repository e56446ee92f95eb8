/**
 * The shape of the code (issue 10's bars): no import cycles among the TypeScript sources (type-only
 * imports count, as madge counts them), and no source file over 400 lines.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : ext.test(name) ? [path] : [];
  });
}

/** The relative imports of a file (static, re-exports, dynamic), resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** Every cycle found by a depth-first walk, as the files around it. */
function cycles(sources: string[]): string[][] {
  const graph = new Map(sources.map((f) => [f, importsOf(f).filter((g) => sources.includes(g))]));
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') found.push(stack.slice(stack.indexOf(g)).map((p) => relative(ROOT, p)));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of sources) if (!state.has(f)) visit(f);
  return found;
}

const typescript = [...files(join(ROOT, 'src'), /\.ts$/), ...files(join(ROOT, 'commands'), /\.ts$/)];

describe('the shape of the code', () => {
  it('has no import cycles in src/ and commands/', () => {
    expect(typescript.length).toBeGreaterThan(50);
    expect(cycles(typescript)).toEqual([]);
  });

  it('finds a cycle when there is one, type-only imports included (the check itself)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unclip-shape-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.ts';\nexport type A = B;\n");
      writeFileSync(join(dir, 'b.ts'), "export { c } from './c.ts';\nexport type B = string;\n");
      writeFileSync(join(dir, 'c.ts'), "export const c = () => import('./a.ts');\n");
      expect(cycles(['a', 'b', 'c'].map((n) => join(dir, `${n}.ts`))).map((c) => c.map((f) => f.split('/').pop()))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no source file over 400 lines', () => {
    const sources = [...typescript, ...files(join(ROOT, 'src'), /\.js$/)].map((f) => relative(ROOT, f));
    expect(sources).toContain('src/sandbox/web/static/app.js');
    const long = sources.map((f) => [f, readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });
});
