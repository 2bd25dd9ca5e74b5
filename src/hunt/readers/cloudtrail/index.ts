// PLACEHOLDER until the cloudtrail reader lands: replaced wholesale by its implementation.
import type { LogReader } from '../../event.ts';

export const cloudtrailReader: LogReader = {
  format: 'cloudtrail',
  sniff: () => false,
  read() {
    throw new Error('the cloudtrail reader is not built yet');
  },
};
