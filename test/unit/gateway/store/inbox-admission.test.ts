import { describe, expect, it } from 'vitest';
import { InboxAdmission } from '../../../../gateway/store/inbox-admission';

/** Offers payload `name` of `bytes`; when it runs it enters the backlog and is logged. */
function offerer(admission: InboxAdmission, log: string[]) {
  return (name: string, bytes = 1) =>
    admission.offer(
      () => {
        admission.entered(bytes);
        log.push(name);
      },
      (error) => log.push(`${name} failed: ${error.message}`),
    );
}

describe('InboxAdmission', () => {
  it('takes payloads in at once while the backlog is under its bound', () => {
    const admission = new InboxAdmission({ maxRows: 3, maxBytes: 1000 });
    const log: string[] = [];
    const offer = offerer(admission, log);
    offer('a');
    offer('b');
    offer('c');
    expect(log).toEqual(['a', 'b', 'c']);
    expect(admission.backlog()).toEqual({ rows: 3, bytes: 3 });
    expect(admission.deferred).toBe(0);
  });

  it('holds payloads at the bound and lets them in, in arrival order, once processing drains to 3/4', () => {
    const admission = new InboxAdmission({ maxRows: 4, maxBytes: 1000 });
    const log: string[] = [];
    const offer = offerer(admission, log);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) offer(name);
    expect(log).toEqual(['a', 'b', 'c', 'd']);
    expect(admission.waiting).toBe(3);
    expect(admission.deferred).toBe(3);
    // 4 → 3 rows is at 3/4 of the bound: room again, up to the bound.
    admission.left(1);
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(admission.waiting).toBe(2);
    // A newcomer waits behind those already waiting, even when a row leaves first.
    offer('h');
    admission.left(1);
    admission.left(1);
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    admission.left(1);
    admission.left(1);
    expect(log.slice(7)).toEqual(['h']);
    expect(admission.highWaterRows).toBe(4);
  });

  it('waits until both rows and bytes have drained below 3/4 of their bounds', () => {
    const admission = new InboxAdmission({ maxRows: 100, maxBytes: 1000 });
    const log: string[] = [];
    const offer = offerer(admission, log);
    offer('a', 600);
    offer('b', 500); // 600 < 1000: room for one more, however large
    offer('c', 10);
    expect(log).toEqual(['a', 'b']);
    admission.left(600); // 500 bytes left: at most 750, so c goes in
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('does not resume above 3/4 of the bound', () => {
    const admission = new InboxAdmission({ maxRows: 8, maxBytes: 1_000_000 });
    const log: string[] = [];
    const offer = offerer(admission, log);
    for (let i = 0; i < 9; i++) offer(`p${i}`);
    expect(log).toHaveLength(8);
    admission.left(1); // 7 rows > 6
    expect(log).toHaveLength(8);
    admission.left(1); // 6 rows: resume
    expect(log).toHaveLength(9);
  });

  it('counts a restart\'s inbox as backlog', () => {
    const admission = new InboxAdmission({ maxRows: 2, maxBytes: 1000 }, { rows: 5, bytes: 50 });
    const log: string[] = [];
    offerer(admission, log)('a');
    expect(log).toEqual([]);
    for (let i = 0; i < 4; i++) admission.left(10);
    expect(log).toEqual(['a']);
  });

  it('gives up on waiting payloads when cancelled, and never runs them after', () => {
    const admission = new InboxAdmission({ maxRows: 1, maxBytes: 1000 });
    const log: string[] = [];
    const offer = offerer(admission, log);
    offer('a');
    offer('b');
    offer('c');
    admission.cancel(new Error('stopping'));
    admission.left(1);
    expect(log).toEqual(['a', 'b failed: stopping', 'c failed: stopping']);
    expect(admission.waiting).toBe(0);
  });
});
