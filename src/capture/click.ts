import type { Locator, Page } from 'playwright-core';
import { withTimeout } from './page-observer.js';

export type ClickPlan =
  | { ok: true; target: string | null; perform: () => Promise<void> }
  | { ok: false; reason: string };

/** Finds the link or button whose text matches (links first, then buttons, then any text). */
export async function clickByText(page: Page, text: string, timeoutMs: number): Promise<ClickPlan> {
  const candidates: Locator[] = [
    page.getByRole('link', { name: text }),
    page.getByRole('button', { name: text }),
    page.locator('input[type=submit], input[type=button]').filter({ hasText: text }),
    page.getByText(text),
  ];
  for (const candidate of candidates) {
    const locator = candidate.first();
    if (!(await withTimeout(locator.isVisible(), timeoutMs, false))) continue;
    const target = await withTimeout<string | null>(
      locator.evaluate((el) => (el as HTMLAnchorElement).href || el.outerHTML.slice(0, 300), undefined, { timeout: timeoutMs }),
      timeoutMs,
      null,
    );
    return {
      ok: true,
      target,
      perform: async () => {
        await locator.click({ timeout: timeoutMs, noWaitAfter: true }).catch(() => undefined);
      },
    };
  }
  return { ok: false, reason: `no link or button matching "${text}" on ${page.url()}` };
}
