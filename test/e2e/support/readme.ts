/**
 * The README's shell blocks as data, for the tests that keep its walkthroughs and sample outputs true: each
 * ```sh block split into commands, each command with the output the README shows for it (the `# …` comment lines
 * right after it). A block that cannot run in a test says so in the README source, on the line before its fence:
 * `<!-- readme-test: skip (why) -->`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

export interface ReadmeCommand {
  /** The command as written (continuation lines included), inline comments and all. */
  readonly text: string;
  /** The output the README shows: the comment lines right after the command, without their `# ` / `#`. */
  readonly expected: readonly string[];
  /** 1-based line of the README where the command starts. */
  readonly line: number;
}

export interface ReadmeBlock {
  readonly line: number;
  /** Why the block is not run, from its `<!-- readme-test: skip (…) -->` marker. */
  readonly skip?: string;
  readonly commands: readonly ReadmeCommand[];
}

const SHELL = new Set(['sh', 'bash', 'shell']);
const SKIP = /^<!--\s*readme-test:\s*skip\s*\((.+)\)\s*-->$/;

export function readme(): string {
  return readFileSync(join(repoRoot, 'README.md'), 'utf8');
}

/** The shell blocks of a Markdown text, in order. */
export function shellBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`README.md:${i + 1}: a code block that never ends`);
    if (SHELL.has(fence[1]!)) {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const skip = SKIP.exec(lines[before]?.trim() ?? '')?.[1];
      blocks.push({ line: i + 1, ...(skip ? { skip } : {}), commands: commandsOf(lines.slice(i + 1, end), i + 2) });
    }
    i = end;
  }
  return blocks;
}

function commandsOf(lines: readonly string[], firstLine: number): ReadmeCommand[] {
  const out: Array<{ text: string[]; expected: string[]; line: number }> = [];
  let current: (typeof out)[number] | undefined;
  let continues = false;
  lines.forEach((l, k) => {
    if (continues && current) {
      current.text.push(l);
      continues = l.endsWith('\\');
      return;
    }
    if (l.trim() === '') {
      current = undefined;
      return;
    }
    if (l.startsWith('#')) {
      // Output right after a command; a comment after a blank line (or at the top) is prose.
      current?.expected.push(l.replace(/^# ?/, ''));
      return;
    }
    current = { text: [l], expected: [], line: firstLine + k };
    out.push(current);
    continues = l.endsWith('\\');
  });
  return out.map((c) => ({ text: c.text.join('\n'), expected: c.expected, line: c.line }));
}

/**
 * The fields of a shown output that are missing from the real one, loosely: every word of the shown output
 * (runs of letters, digits and `_.:/@#-`, two characters or more; `…` stands for anything) must appear in it.
 */
export function missingFields(expected: readonly string[], actual: string): string[] {
  const words = expected.join('\n').split('…').flatMap((part) => part.match(/[\w.:/@#-]{2,}/g) ?? []);
  return [...new Set(words)].filter((w) => !actual.includes(w));
}

/**
 * Compares a shown output line by line with the real one: equal but for `…`, which stands for any text
 * (a request id, a time, a generated policy id). Returns the first difference, or undefined.
 */
export function lineDifference(expected: readonly string[], actual: string): string | undefined {
  const got = actual.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const want = expected[i];
    if (want === undefined) return `line ${i + 1}: the README ends, the output goes on with ${JSON.stringify(got[i])}`;
    const pattern = new RegExp(`^${want.trimEnd().split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}$`);
    if (got[i] === undefined) return `line ${i + 1}: the output ends, the README goes on with ${JSON.stringify(want)}`;
    if (!pattern.test(got[i]!)) return `line ${i + 1}: the README shows ${JSON.stringify(want)}, the output is ${JSON.stringify(got[i])}`;
  }
  return undefined;
}

const TOP = ['src', 'test', 'bench', 'docs', 'examples', 'scripts', 'blueprints', 'bin', 'specs'].join('|');

/** Relative Markdown links, and paths of the repository the prose names (`bench/RESULTS.md`, `../x/y.md`). */
export function referencedPaths(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^(?:[a-z]+:|#)/i.test(l));
  const named = [...markdown.matchAll(new RegExp(`(?<![\\w<>/.-])((?:\\.\\./)+[\\w./-]+|(?:${TOP})/[\\w./-]*)`, 'g'))].map((m) => m[1]!);
  return [...new Set([...links, ...named].map((p) => p.split('#')[0]!.replace(/[.,:;]+$/, '')))].filter(Boolean);
}
