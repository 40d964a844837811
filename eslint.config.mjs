// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import segugio from './dev/eslint/layers.mjs';

export default tseslint.config(
  {
    // Plain JS outside web/ is tooling (jest config, test summary); the console's modules are linted below.
    ignores: [
      'node_modules',
      'dist',
      'generated',
      '.segugio',
      '.tools',
      'coverage',
      '**/*.js',
      '!web/**/*.js',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Dependency direction between folders (allow-lists per layer): dev/eslint/layers.mjs.
    files: ['**/*.ts'],
    plugins: { segugio },
    rules: { 'segugio/layers': 'error' },
  },
  {
    // Workflow code is replayed: it must not touch the environment or the console.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'Workflows never read process.env.' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='console']", message: 'Use the workflow log, not console.' },
      ],
    },
  },
  {
    // The web console: browser ES modules, type-checked by web/tsconfig.json (checkJs) in scripts/test.sh.
    files: ['web/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          // Pages build the DOM with textContent only, so data can never inject markup (docs/console.md).
          selector: 'AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]',
          message: 'Build elements with h(); never assign HTML strings.',
        },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Build elements with h().' },
      ],
    },
  },
);
