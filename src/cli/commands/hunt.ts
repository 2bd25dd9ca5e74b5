import type { Command } from 'commander';

export function registerHunt(program: Command): void {
  program.command('hunt').description('(being built)');
}
