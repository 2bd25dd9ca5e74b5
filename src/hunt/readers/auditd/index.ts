// PLACEHOLDER until the auditd reader lands: replaced wholesale by its implementation.
import type { LogReader } from '../../event.ts';

export const auditdReader: LogReader = {
  format: 'auditd',
  sniff: () => false,
  read() {
    throw new Error('the auditd reader is not built yet');
  },
};
