// Node 20 has no fs.glob; scenario discovery needs only the common subset, so it is written here rather than depended on.

/** Whether `text` uses glob syntax: `*`, `?`, `[…]` or `{a,b}`. */
export function isGlob(text: string): boolean {
  return /[*?[{]/.test(text);
}

/**
 * A RegExp for a `/`-separated glob over whole paths: `*` matches within one path segment, `**` as a whole segment
 * matches any number of segments (none included), `?` one character, `[abc]`/`[!abc]` a class, `{a,b}` alternatives.
 * Dot files are matched like any other (scenario folders rarely hold any, and hiding them would surprise).
 */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${translate(glob)}$`);
}

function translate(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const segmentStart = i === 0 || glob[i - 1] === '/';
        const segmentEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (segmentStart && segmentEnd) {
          // `**/` is zero or more whole segments; a trailing `**` is anything below.
          if (glob[i + 2] === '/') {
            out += '(?:[^/]*/)*';
            i += 2;
          } else {
            out += '.*';
            i += 1;
          }
          continue;
        }
        i += 1; // `a**b` inside a segment means the same as `a*b`
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      const end = matchingBrace(glob, i);
      if (end === -1) {
        out += '\\{';
        continue;
      }
      out += `(?:${splitTopLevel(glob.slice(i + 1, end)).map(translate).join('|')})`;
      i = end;
    } else {
      out += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
    }
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** The folder a glob's matches are all under: its leading segments without glob syntax (`.` when there are none). */
export function globBase(glob: string): string {
  const segments = glob.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (isGlob(segment)) break;
    fixed.push(segment);
  }
  if (fixed.length === 0) return glob.startsWith('/') ? '/' : '.';
  return fixed.join('/') || '/';
}
