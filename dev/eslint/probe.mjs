// @ts-check
/* global process */
/**
 * Lints snippets as if they stood at given paths, with only the `segugio/layers` rule: `node dev/eslint/probe.mjs
 * '[{"file": "workflows/x.ts", "code": "…"}, …]'` prints each case's messages as a JSON array of arrays. The layer
 * tests use it to show that a wrong import fails.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import segugio from './layers.mjs';

const cases = JSON.parse(process.argv[2] ?? '[]');
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
const out = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: file });
  out.push(result.messages.map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
