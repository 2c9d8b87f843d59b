import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Dependency direction (ARCHITECTURE §3): each entry forbids imports from the listed folders. */
const layers = [
  { from: 'src/core/**', forbid: ['**/spec/**', '**/protocol/**', '**/auth/**', '**/iam/**', '**/org/**', '**/gateway/**', '**/persistence/**', '**/services/**', '**/cli/**', '**/app/**'] },
  { from: 'src/iam/**', forbid: ['**/spec/**', '**/protocol/**', '**/auth/**', '**/org/**', '**/gateway/**', '**/persistence/**', '**/services/**', '**/cli/**', '**/app/**'] },
  { from: 'src/spec/**', forbid: ['**/protocol/**', '**/auth/**', '**/iam/**', '**/gateway/**', '**/persistence/**', '**/services/**', '**/cli/**', '**/app/**'] },
  { from: 'src/protocol/**', forbid: ['**/auth/**', '**/iam/**', '**/gateway/**', '**/persistence/**', '**/services/**', '**/cli/**', '**/app/**'] },
  { from: 'src/services/**', forbid: ['**/protocol/**', '**/gateway/server*', '**/gateway/chain*', '**/persistence/sqlite/**', '**/persistence/postgres/**', '**/cli/**', '**/app/**'] },
  { from: 'src/persistence/**', forbid: ['**/services/**', '**/gateway/**', '**/protocol/**', '**/cli/**', '**/app/**'] },
  { from: 'src/cli/**', forbid: ['**/services/**'] },
  { from: 'src/pipeline/**', forbid: ['**/services/**', '**/gateway/**', '**/protocol/**', '**/persistence/**', '**/cli/**', '**/app/**'] },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.mlzone/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  ...layers.map((l) => ({
    files: [l.from],
    rules: { 'no-restricted-imports': ['error', { patterns: l.forbid.map((g) => ({ group: [g], message: 'violates the dependency direction of ARCHITECTURE §3' })) }] },
  })),
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
