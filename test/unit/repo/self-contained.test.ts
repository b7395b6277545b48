// A clone must be all anyone needs (CONTRIBUTING.md#a-project-that-stands-on-its-own): no file may point outside the
// repository, and the contributor docs may cite only paths a clone has.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/twinbed-process';

/** The docs whose cited paths must all exist. */
const DOCS = ['CONTRIBUTING.md', 'docs/ARCHITECTURE.md'];
/** Docs whose markdown links and anchors must lead somewhere. */
const LINKED_DOCS = [...DOCS, 'README.md'];

// Built from pieces, so that this file does not match itself.
const SIBLING_FOLDER = ['..', 'shared', ''].join('/');
const ABSOLUTE_ROOT = `/${'work'}/`;
/** The absolute root, not as the tail of a longer path (`src/work/` is fine; a path that starts there is not). */
const ABSOLUTE_PATH = new RegExp(`(?:^|[^\\w.~/-])${ABSOLUTE_ROOT.replace(/\//g, '\\/')}`);

/**
 * What a clone has once the change is committed: tracked files plus new files git does not ignore, as listed by
 * `git ls-files` (read-only), that are still on disk.
 */
function repoFiles(): string[] {
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  } catch (error) {
    throw new Error(`cannot list the repository's files with git ls-files in ${ROOT}: run the tests in a git checkout (${(error as Error).message})`, { cause: error });
  }
  return [...new Set(listing.split('\0').filter(Boolean))].filter((file) => existsSync(path.join(ROOT, file))).sort();
}

const FILES = repoFiles();
/** Every file and every folder that holds one, repo-relative with `/`. */
const PATHS = new Set(FILES.flatMap((file) => file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))));

/** The lines of a text file; undefined for a binary one (a NUL byte in its first 8 kB). */
function textLines(file: string): string[] | undefined {
  const bytes = readFileSync(path.join(ROOT, file));
  if (bytes.subarray(0, 8192).includes(0)) return undefined;
  return bytes.toString('utf8').split('\n');
}

/** Drops URLs, whose paths are another site's business. */
const withoutUrls = (line: string) => line.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, ' ');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown file's headings, outside fenced code blocks. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(path.join(ROOT, file), 'utf8').split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) anchors.add(slug(heading[1]!));
  }
  return anchors;
}

/** Resolves `target` (a markdown link or a cited path) against `from`'s folder when it starts with ./ or ../, else the root. */
function resolveFrom(from: string, target: string): string {
  const base = /^\.\.?\//.test(target) ? path.posix.dirname(from) : '';
  return path.posix.normalize(path.posix.join(base, target)).replace(/\/$/, '');
}

describe('the repository stands on its own', () => {
  it('lists its files with git and finds the contributor docs among them', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES).toContain('package.json');
    for (const doc of DOCS) expect(FILES, `${doc} is missing: the docs that replace every reference outside the repository`).toContain(doc);
  });

  it('has no file that refers to a folder beside the repository or to an absolute path on a machine', () => {
    const problems: string[] = [];
    for (const file of FILES) {
      textLines(file)?.forEach((line, i) => {
        if (line.includes(SIBLING_FOLDER)) problems.push(`${file}:${i + 1}: refers to ${SIBLING_FOLDER}, outside the repository: cite a repo-relative path or a CONTRIBUTING.md section`);
        if (ABSOLUTE_PATH.test(line)) problems.push(`${file}:${i + 1}: refers to the absolute path ${ABSOLUTE_ROOT}…, which a clone does not have: cite a repo-relative path`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('names only markdown files that exist, and only headings they have', () => {
    const problems: string[] = [];
    for (const file of FILES) {
      textLines(file)?.forEach((line, i) => {
        for (const [, cited, anchor] of withoutUrls(line).matchAll(/([\w./-]*[\w-]\.md)\b(?:#([\w-]+))?/g)) {
          const name = cited!.replace(/^\/+/, '');
          const candidates = name.includes('/') ? [resolveFrom(file, name), name] : FILES.filter((f) => path.posix.basename(f) === name);
          const found = candidates.find((c) => PATHS.has(c));
          if (!found) {
            problems.push(`${file}:${i + 1}: cites ${cited}, which is not in the repository`);
          } else if (anchor !== undefined && !anchorsOf(found).has(anchor)) {
            problems.push(`${file}:${i + 1}: cites ${cited}#${anchor}, but ${found} has no heading with that anchor`);
          }
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('cites in its contributor docs only repo-relative paths a clone has', () => {
    const topLevel = new Set(FILES.map((file) => file.split('/')[0]!));
    // Made by npm install and the tests, so a doc may name them though no clone holds them.
    const generated = new Set(['dist', 'node_modules', 'test-results', 'coverage']);
    const problems: string[] = [];
    for (const doc of DOCS.filter((d) => FILES.includes(d))) {
      textLines(doc)!.forEach((line, i) => {
        // Repo-relative words only: `./errors` or `../scenario.schema.json` are relative to some other file (an import,
        // a library scenario's header); the links test checks the doc's own relative links.
        for (const [word] of withoutUrls(line).matchAll(/(?<![\w./-])[\w-][\w.-]*(?:\/[\w.-]*)+/g)) {
          const cited = word.replace(/\.+$/, '');
          const first = cited.split('/')[0]!;
          if (generated.has(first)) continue;
          // A path starts at a top-level entry of the repository, or at least ends like a file; `m/s2` and topics do not.
          const looksLikeFile = /\.(ts|js|mjs|json|ya?ml|md|sh|onnx|png|xsd|proto)$/.test(cited);
          if (!topLevel.has(first) && !looksLikeFile) continue;
          if (!PATHS.has(cited.replace(/\/$/, ''))) problems.push(`${doc}:${i + 1}: cites ${cited}, which is not in the repository`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('has markdown links and anchors in its docs that lead somewhere', () => {
    const problems: string[] = [];
    for (const doc of LINKED_DOCS.filter((d) => FILES.includes(d))) {
      textLines(doc)!.forEach((line, i) => {
        for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
          const [file = '', anchor] = target!.split('#');
          const resolved = file === '' ? doc : resolveFrom(doc, file.startsWith('.') ? file : `./${file}`);
          if (!PATHS.has(resolved)) problems.push(`${doc}:${i + 1}: links to ${target}, but ${resolved} is not in the repository`);
          else if (anchor !== undefined && !anchorsOf(resolved).has(anchor)) problems.push(`${doc}:${i + 1}: links to ${target}, but ${resolved} has no heading with that anchor`);
        }
      });
    }
    expect(problems).toEqual([]);
  });
});
