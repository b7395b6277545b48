import type { HtmlReportData } from './report-data';

/** The built page: its script (uPlot included) and its stylesheet, both inlined into the report. */
export interface ReportAssets {
  script: string;
  css: string;
}

/** The id of the `<script type="application/json">` the page reads its data from. */
export const DATA_ELEMENT_ID = 'twinbed-report-data';

/**
 * One self-contained HTML document: styles, script and data inline, nothing loaded from anywhere. The content
 * security policy makes that a promise the browser keeps: a script or style that tried to fetch would be refused.
 */
export function renderHtmlReport(data: HtmlReportData, assets: ReportAssets): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    // An empty icon: without one the browser asks the server for /favicon.ico.
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${inlineCss(assets.css)}</style>`,
    '</head>',
    '<body>',
    '<noscript>This report draws itself with JavaScript; enable it, or read the JSON report next to this file.</noscript>',
    '<div id="app"></div>',
    `<script type="application/json" id="${DATA_ELEMENT_ID}">${jsonForScript(data)}</script>`,
    `<script>${inlineScript(assets.script)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * JSON that cannot end or re-open the script element holding it: every `<` becomes `\u003c` (so neither `</script>`
 * nor `<!--` appears; HTML §4.12.1.3), and U+2028/U+2029 are escaped as well. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The bundled script, with the two sequences that would end or re-open its element rewritten as `\x3C`: esbuild
 * already escapes them in strings, and `\x3C` means `<` in strings, templates and regular expressions alike.
 */
function inlineScript(script: string): string {
  return script.replace(/<(\/script|!--)/gi, '\\x3C$1');
}

/** A stylesheet cannot end its element early: `</style` would, and `<` never appears in valid CSS outside strings. */
function inlineCss(css: string): string {
  return css.replace(/<\/style/gi, '\\3C/style');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
