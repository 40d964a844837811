// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import segugio from './dev/eslint/layers.mjs';

export default tseslint.config(
  {
    ignores: ['node_modules', 'dist', 'generated', '.segugio', '.tools', 'coverage', 'web/dist', '**/*.js', '**/*.cjs'],
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
);
