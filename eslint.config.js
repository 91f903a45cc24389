import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', '**/.data/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // The layering of docs/architecture.md §1.2: domain rules stay pure and isomorphic.
    files: ['shared/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'rxdb', 'rxdb/*', 'rxjs', 'socket.io-client', '../sync/*', 'react'],
              message: 'shared/domain is pure: zod and its own modules only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/src/**/*.ts'],
    ignores: ['shared/src/**/*.test.ts', 'shared/src/**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', '@medisync/sync-server*', 'express', 'pg'], message: 'shared/ runs in browsers too.' },
          ],
        },
      ],
    },
  },
  {
    // Renderers run in a sandboxed page: no Node, no Electron, no server code (docs/architecture.md §1.2).
    files: ['desktop/src/renderer/**/*.{ts,tsx}', 'kiosk/src/renderer/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'electron',
                '**/main/**',
                '@medisync/desktop/shell/main',
                '@medisync/sync-server*',
                'pg',
                'express',
              ],
              message: 'Renderers run in the browser sandbox: no Node, Electron or server code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', '**/*.config.*', '.ci/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
