import type { Expectation } from '../schema';
import type { ExpectationResult, ReplyEvidence, RunEvidence } from './evidence';
import { fmt, s, span } from './format';

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

/** At most this many of the device's replies are quoted in a failure. */
const QUOTED = 5;

/**
 * A device or gateway answered a command (its action) as expected: carried out (ok: true), or refused (ok: false,
 * with `code` when given), in [fromS, toS] run seconds. Judged on the replies the system published.
 */
export function replyExpectation(expectation: Of<'reply'>, evidence: RunEvidence): ExpectationResult {
  const { device, action, ok, code } = expectation;
  const fromS = expectation.fromS ?? 0;
  const toS = expectation.toS ?? evidence.scenario.durationS;
  const what = `${ok ? 'accepted' : 'refused'} ${action}${code !== undefined ? ` with ${code}` : ''}`;
  const name = expectation.name ?? `${device} ${ok ? 'accepts' : 'refuses'} ${action}${code !== undefined ? ` with ${code}` : ''}${expectation.fromS !== undefined || expectation.toS !== undefined ? ` ${span(expectation.fromS, expectation.toS)}` : ''}`;
  const sent = evidence.replies.filter((r) => r.device === device);
  const matching = sent.filter((r) => r.action === action && r.ok === ok && (code === undefined || r.code === code));
  const hit = matching.find((r) => r.atS >= fromS && r.atS <= toS);
  if (hit) return { name, type: 'reply', passed: true, detail: `${device} ${quote(hit)}` };

  const outside = matching[0] ? `; it did at ${s(matching[0].atS)}, outside the window` : '';
  const others = evidence.replies.length - sent.length;
  const got = sent.length
    ? `; its replies: ${sent.slice(0, QUOTED).map(quote).join(', ')}${sent.length > QUOTED ? ` and ${sent.length - QUOTED} more` : ''}`
    : `; it sent no reply${others ? ` (${others} came from others)` : ''}`;
  return { name, type: 'reply', passed: false, detail: `${device} never ${what} in ${fmt(fromS)}–${s(toS)}${outside}${got}` };
}

/** `refused model.stage at 130 s (E_MODEL_SIGNATURE: model 1.2.0: bad signature)`, `accepted model.activate at 140 s`. */
function quote(r: ReplyEvidence): string {
  const why = r.code !== undefined || r.error !== undefined ? ` (${[r.code, r.error].filter((x) => x !== undefined).join(': ')})` : '';
  return `${r.ok ? 'accepted' : 'refused'} ${r.action} at ${s(r.atS)}${why}`;
}
