// PLACEHOLDER until the evtx reader lands: replaced wholesale by its implementation.
import type { LogReader } from '../../event.ts';

export const evtxReader: LogReader = {
  format: 'evtx',
  sniff: () => false,
  read() {
    throw new Error('the evtx reader is not built yet');
  },
};
