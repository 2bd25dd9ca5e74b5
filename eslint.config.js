// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules that reach outside the process. Detectors and parsers must not import them (DESIGN.md). */
const ioModules = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'fs',
  'http',
  'https',
  'net',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'test/fixtures/**', 'coverage/**', 'web/dist/**', 'bench/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a string union instead of an enum.' },
      ],
    },
  },
  {
    // Pure parts: parsers, the Sigma engine and the shared vocabulary take bytes/objects and return values.
    files: [
      'src/core/**/*.ts',
      'src/hunt/sigma/**/*.ts',
      'src/hunt/readers/**/parse*.ts',
      'src/hunt/readers/evtx/binxml.ts',
      'src/scan/versions/**/*.ts',
      'src/scan/ecosystems/*/version.ts',
      'src/scan/ecosystems/*/lockfile.ts',
      'src/scan/ecosystems/**/*.ts',
      'src/scan/sbom/*.ts',
      'src/scan/inventory/*.ts',
      'src/scan/os/*.ts',
      'src/scan/vex/*.ts',
      'src/scan/report/*.ts',
      'src/scan/image/rootfs.ts',
      'src/scan/image/tar-index.ts',
      'src/scan/image/schema.ts',
      'src/harden/sshd/*.ts',
      'src/harden/sysctl/*.ts',
      'src/harden/logindefs/*.ts',
      'src/harden/edit.ts',
      'src/harden/run.ts',
      'src/harden/types.ts',
      'src/harden/finding.ts',
      'src/scan/finding.ts',
      'src/analysts/consensus/*.ts',
      'src/analysts/eval/metrics.ts',
      'src/analysts/redact/*.ts',
      'src/analysts/model/*.ts',
    ],
    // the walker is the inventory's one I/O module
    ignores: [
      '**/*.test.ts',
      'src/scan/versions/testkit.ts',
      'src/scan/inventory/walk.ts',
      'src/scan/inventory/testkit.ts',
      'src/harden/sshd/syntax.ts',
      'src/harden/sshd/testkit.ts',
      'src/analysts/redact/store.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({
            name,
            message: 'Pure module: take data as arguments; I/O lives in the reader or the CLI.',
          })),
        },
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Pure module: no network.' }],
    },
  },
);
