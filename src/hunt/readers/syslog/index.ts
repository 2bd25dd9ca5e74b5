// PLACEHOLDER until the syslog reader lands: replaced wholesale by its implementation.
import type { LogReader } from '../../event.ts';

export const syslogReader: LogReader = {
  format: 'syslog',
  sniff: () => false,
  read() {
    throw new Error('the syslog reader is not built yet');
  },
};
