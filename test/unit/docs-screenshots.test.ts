/**
 * The screenshots under docs/screenshots and the documents that show them stay in step: every PNG there is shown by
 * docs/console.md (the console's pages) or docs/portal.md (the debtor's page), and every screenshot a document or the
 * README names exists. The e2e suite writes them (UPDATE_SCREENSHOTS=1); a renamed or dropped shot fails here.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const shots = fs
  .readdirSync(path.join(root, 'docs/screenshots'))
  .filter((f) => f.endsWith('.png'))
  .sort();
const named = (file: string): string[] =>
  [...fs.readFileSync(path.join(root, file), 'utf8').matchAll(/screenshots\/([\w.-]+\.png)/g)].map((m) => m[1]);
const docs = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);

describe('docs/screenshots', () => {
  it('every screenshot is shown by docs/console.md or docs/portal.md', () => {
    const shown = new Set([...named('docs/console.md'), ...named('docs/portal.md')]);
    expect(shots.filter((f) => !shown.has(f))).toEqual([]);
  });

  it('every screenshot a document names exists', () => {
    const missing = docs.flatMap((d) =>
      named(d)
        .filter((f) => !shots.includes(f))
        .map((f) => `${d}: ${f}`),
    );
    expect(missing).toEqual([]);
  });
});
