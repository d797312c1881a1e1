import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = require('axe-core').source;

/**
 * Runs axe-core in the page (WCAG 2.x A/AA rules) and returns the violations at or above
 * `minImpact`. The page's CSP forbids inline scripts, so axe is evaluated over the DevTools
 * protocol instead of being added as a <script>.
 */
export async function runAxe(page, { minImpact = 'serious' } = {}) {
  const order = ['minor', 'moderate', 'serious', 'critical'];
  const floor = order.indexOf(minImpact);
  const violations = await page.evaluate(
    async ([source]) => {
      if (!window.axe) (0, eval)(source);
      const result = await window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        resultTypes: ['violations'],
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ')}`),
      }));
    },
    [axeSource],
  );
  return violations.filter((v) => order.indexOf(v.impact ?? 'minor') >= floor);
}

export function formatViolations(violations) {
  return violations
    .map((v) => `[${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n}`).join('\n')}`)
    .join('\n');
}
