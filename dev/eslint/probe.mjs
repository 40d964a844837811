// @ts-check
/* global process */
/**
 * Lints one snippet as if it stood at a given path, with only the `segugio/layers` rule: `node dev/eslint/probe.mjs
 * <path> <code>` prints the rule's messages as JSON. The layer tests use it to show that a wrong import fails.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import segugio from './layers.mjs';

const [file, code] = process.argv.slice(2);
const eslint = new ESLint({
  cwd: path.resolve(import.meta.dirname, '..', '..'),
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { segugio },
      rules: { 'segugio/layers': 'error' },
    },
  ],
});
const [result] = await eslint.lintText(code, { filePath: file });
process.stdout.write(JSON.stringify(result.messages.map((m) => m.message)));
