/** Automated accessibility check of the page in view: axe-core's WCAG 2.1 A/AA rules, serious and critical only. */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** Violations as readable lines (rule, help, first elements); empty when the page passes. */
export async function a11yViolations(page: Page): Promise<string[]> {
  // Injected through the DevTools protocol, which the page's CSP does not govern (the console allows no inline script).
  await page.evaluate(axe.source);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}
