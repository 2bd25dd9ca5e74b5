// PLACEHOLDER until the web reader lands: replaced wholesale by its implementation.
import type { LogReader } from '../../event.ts';

export const webReader: LogReader = {
  format: 'web',
  sniff: () => false,
  read() {
    throw new Error('the web reader is not built yet');
  },
};
