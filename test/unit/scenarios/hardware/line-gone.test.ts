import { describe, expect, it } from 'vitest';
import { lineGone } from '../../../../scenarios/hardware/serial-transport';

describe('a serial port error', () => {
  it('counts as the port closing when the other end went away: a write to a pty whose peer closed fails with EIO', () => {
    // As serialport's binding reports it: the errno only in the message.
    expect(lineGone(new Error('EIO: i/o error, write'))).toBe(true);
    expect(lineGone(Object.assign(new Error('read failed'), { code: 'EBADF' }))).toBe(true);
    expect(lineGone(new Error('Error: No such device or address, cannot open /dev/ttyUSB0 (ENXIO)'))).toBe(true);
  });

  it('stays a port error otherwise', () => {
    expect(lineGone(new Error('EACCES: permission denied, open /dev/ttyS0'))).toBe(false);
    expect(lineGone(new Error('Port is not open'))).toBe(false);
  });
});
