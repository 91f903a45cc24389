import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | null = null;

/** Where to look: a CSS selector, or selectors to include and exclude (axe-core's context, as plain data). */
export type AxeContext = string | { include?: string[][] | string[]; exclude?: string[][] | string[] };

interface Violation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page (every rule of WCAG 2.x A and AA plus axe's best
 * practices) and fails with a readable list when anything is found, at any
 * impact. `context` narrows the check to part of the page (a selector, or
 * `{ include, exclude }`); by default the whole document is checked.
 *
 * axe is evaluated through the DevTools protocol rather than a script tag, so
 * the app's Content-Security-Policy stays as strict as it ships.
 */
export async function expectNoAxeViolations(page: Page, context?: AxeContext): Promise<void> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.evaluate(source);
  const results = await page.evaluate(async (ctx) => {
    const scope = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Violation[] }> };
      document: unknown;
    };
    return scope.axe.run(ctx ?? scope.document, { resultTypes: ['violations'] });
  }, context ?? null);
  if (results.violations.length > 0) {
    throw new Error(
      `axe-core found ${results.violations.length} kind(s) of violation:\n${describe(results.violations)}`,
    );
  }
}

function describe(violations: Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((node) => `    at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n/g, ' ') ?? ''}`)
        .join('\n');
      const more = v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : '';
      return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
    })
    .join('\n');
}
