import type { Command } from 'commander';

export function registerRules(program: Command): void {
  program.command('rules').description('(being built)');
}
