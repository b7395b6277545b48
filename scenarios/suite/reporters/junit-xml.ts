// XML 1.0 text for JUnit files: CI servers reject a whole report over one stray control character.

// Characters XML 1.0 cannot carry at all (§2.2 Char), even escaped: C0 controls but tab, LF and CR; lone surrogates; U+FFFE/U+FFFF.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Drops what XML cannot hold, as `\u{…}` text, so the reader still sees that something was there. */
function clean(text: string): string {
  return text.replace(INVALID, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** Element content: `&`, `<` and `>` escaped (`>` for `]]>`). */
export function xmlText(text: string): string {
  return clean(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A double-quoted attribute value; line breaks and tabs as character references, which attribute normalisation keeps. */
export function xmlAttr(text: string): string {
  return clean(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** An element with attributes (undefined ones left out) and children already rendered, or none. */
export function element(name: string, attributes: Record<string, string | number | undefined>, children?: string): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
  return children === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

/** Wall ms as JUnit seconds: at most three decimals, no digit grouping (the XSD's SUREFIRE_TIME). */
export function junitSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}
