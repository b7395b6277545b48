type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * Creates an element. Text is always set as text, never parsed as HTML: the data comes from scenario files and
 * from the system under test, and a rule named `<img onerror=…>` must read as what it is.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false) continue;
    if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** An inline SVG status icon (check, cross, clock, …) coloured by CSS through `currentColor`. */
export function icon(name: 'passed' | 'failed' | 'flaky' | 'timedOut' | 'errored' | 'interrupted' | 'skipped' | 'chevron'): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon icon-${name}`);
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.appendChild(path);
  return svg;
}

// 16×16 glyphs in the style of GitHub's Octicons: check-circle, x-circle, alert, clock, stop, skip, chevron-right.
const ICONS = {
  passed: 'M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm3.03 4.72a.75.75 0 0 0-1.06 0L7 8.69 6.03 7.72a.75.75 0 0 0-1.06 1.06l1.5 1.5a.75.75 0 0 0 1.06 0l3.5-3.5a.75.75 0 0 0 0-1.06Z',
  failed: 'M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm2.28 4.22a.75.75 0 0 0-1.06 0L8 6.44 6.78 5.22a.75.75 0 0 0-1.06 1.06L6.94 7.5 5.72 8.72a.75.75 0 1 0 1.06 1.06L8 8.56l1.22 1.22a.75.75 0 1 0 1.06-1.06L9.06 7.5l1.22-1.22a.75.75 0 0 0 0-1.06Z',
  flaky: 'M6.46 1.86a1.75 1.75 0 0 1 3.08 0l5.75 10.6A1.75 1.75 0 0 1 13.75 15H2.25a1.75 1.75 0 0 1-1.54-2.54ZM8 5a.75.75 0 0 0-.75.75v3.5a.75.75 0 0 0 1.5 0v-3.5A.75.75 0 0 0 8 5Zm0 7.5a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z',
  timedOut: 'M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm.75 3.25a.75.75 0 0 0-1.5 0V8c0 .2.08.39.22.53l2.25 2.25a.75.75 0 0 0 1.06-1.06L8.75 7.69Z',
  errored: 'M4.47.22A.75.75 0 0 1 5 0h6a.75.75 0 0 1 .53.22l4.25 4.25c.14.14.22.33.22.53v6a.75.75 0 0 1-.22.53l-4.25 4.25A.75.75 0 0 1 11 16H5a.75.75 0 0 1-.53-.22L.22 11.53A.75.75 0 0 1 0 11V5a.75.75 0 0 1 .22-.53ZM8 4a.75.75 0 0 0-.75.75v3.5a.75.75 0 0 0 1.5 0v-3.5A.75.75 0 0 0 8 4Zm0 8a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z',
  interrupted: 'M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1ZM5.5 5.5v5h5v-5Z',
  skipped: 'M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1ZM4.75 7.25a.75.75 0 0 0 0 1.5h6.5a.75.75 0 0 0 0-1.5Z',
  chevron: 'M6.22 3.22a.75.75 0 0 1 1.06 0l4.25 4.25a.75.75 0 0 1 0 1.06l-4.25 4.25a.75.75 0 0 1-1.06-1.06L9.94 8 6.22 4.28a.75.75 0 0 1 0-1.06Z',
} as const;

/** A legend swatch drawn like the chart's own mark, in a chart colour from the stylesheet. */
export function swatch(shape: 'fault' | 'up' | 'down' | 'diamond' | 'square', colourVar: string, hollow = false): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 16 12');
  svg.setAttribute('width', shape === 'fault' ? '20' : '12');
  svg.setAttribute('height', '12');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', SWATCHES[shape]);
  const colour = `var(${colourVar})`;
  if (shape === 'fault') path.setAttribute('style', `fill:color-mix(in srgb, ${colour} 25%, transparent);stroke:${colour};stroke-width:1.5`);
  else path.setAttribute('style', hollow ? `fill:none;stroke:${colour};stroke-width:1.6` : `fill:${colour}`);
  svg.appendChild(path);
  return svg;
}

const SWATCHES = {
  fault: 'M1 11 L9 2 L15 2 L15 11 Z',
  up: 'M8 1 L14 11 L2 11 Z',
  down: 'M8 11 L14 1.5 L2 1.5 Z',
  diamond: 'M8 1 L13 6 L8 11 L3 6 Z',
  square: 'M4 2 H12 V10 H4 Z',
} as const;
