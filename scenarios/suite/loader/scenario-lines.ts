import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { ScenarioLines } from '../suite-types';

/**
 * Where a scenario's parts are, by 1-based line, so annotations (GitHub, JUnit) point at the `expect:` entry that
 * failed. Kept with the test, so reports merged on another machine, without the file, still name the line.
 */
export function scenarioLines(source: string): ScenarioLines {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);
  const lines: ScenarioLines = { expect: [], sections: {}, thresholds: {} };
  if (!isMap(doc.contents)) return lines;
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const keyLine = lineOf(pair.key as Node | null);
    if (key === undefined || keyLine === undefined) continue;
    lines.sections[key] = keyLine;
    const value = pair.value as Node | null;
    if (key === 'expect' && isSeq(value)) {
      for (const item of value.items) {
        const type = isMap(item) ? item.get('type') : undefined;
        lines.expect.push({ type: typeof type === 'string' ? type : '', line: lineOf(item as Node) ?? keyLine });
      }
    } else if (key === 'thresholds' && isMap(value)) {
      for (const entry of value.items) {
        const line = lineOf(entry.key as Node | null);
        if (isScalar(entry.key) && line !== undefined) lines.thresholds[String(entry.key.value)] = line;
      }
    }
  }
  return lines;
}
