import { Writable } from 'node:stream';

/** A stream that keeps what is written; `isTTY` makes it look like a terminal. */
export class CapturedStream extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: string, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}
