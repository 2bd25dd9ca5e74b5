import type { HuntProgress } from '../hunt/pipeline.ts';

/** A one-line progress bar on standard error, redrawn at most 10 times a second; only on a terminal. */
export class ProgressBar {
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #last = 0;
  #drawn = false;

  constructor(enabled: boolean) {
    this.#enabled = enabled && process.stderr.isTTY === true;
  }

  update(p: HuntProgress): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#last < 100 && p.filesDone < p.filesTotal) return;
    this.#last = now;
    const frac = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p.filesDone / Math.max(1, p.filesTotal);
    const width = 24;
    const full = Math.round(frac * width);
    const secs = (now - this.#started) / 1000;
    const rate = secs > 0 ? Math.round(p.events / secs) : 0;
    const line =
      `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${p.filesDone}/${p.filesTotal} files  ${p.events} events  ${rate} ev/s  ${p.detections} detections`;
    const cols = process.stderr.columns || 100;
    process.stderr.write(`\r${line.slice(0, cols - 1)}\x1b[K`);
    this.#drawn = true;
  }

  /** Clears the bar so the next output starts on a clean line. */
  clear(): void {
    if (this.#drawn) process.stderr.write('\r\x1b[K');
    this.#drawn = false;
  }
}
