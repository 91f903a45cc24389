// Loaded with `node --import` into a simulated device's process (clock-skew
// drill): the whole process, its HLC included, reads a wall clock that is
// MEDISYNC_CLOCK_SKEW_MS off, as a desk PC whose clock was never set would.
import process from 'node:process';

const skew = Number(process.env.MEDISYNC_CLOCK_SKEW_MS ?? 0);
if (skew !== 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + skew);
      else super(...args);
    }
    static now() {
      return realNow() + skew;
    }
  }
  globalThis.Date = SkewedDate;
}
