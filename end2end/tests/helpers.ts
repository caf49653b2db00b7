import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "node:fs";
import * as path from "node:path";

export { expect };

/**
 * Answers for a resource the test asks for on purpose: a page it must not see (404),
 * a refused form (401, 409, 422, 429), a round's live stream refused once the session
 * ended, a request made while the test has taken the network offline. Chromium logs
 * each as an error; nothing else is allowed.
 */
const EXPECTED_REFUSAL =
  /^(Failed to load resource: the server responded with a status of (401|403|404|409|410|413|415|422|429)\b|EventSource's response has a status (401|404) that is not 200|Failed to load resource: net::ERR_INTERNET_DISCONNECTED$)/;

/**
 * Every test fails on any error in any page's console, in every browser context it
 * opens: uncaught exceptions, failed hydration and Content-Security-Policy violations
 * (the browser reports a blocked inline style or script there and carries on).
 */
export const test = base.extend<{ consoleErrors: void }>({
  consoleErrors: [
    async ({ browser, context }, use) => {
      const errors: string[] = [];
      const watchPage = (page: Page) => {
        page.on("console", (message) => {
          if (message.type() === "error" && !EXPECTED_REFUSAL.test(message.text())) {
            errors.push(`${page.url()}: ${message.text()}`);
          }
        });
        page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
      };
      const watch = (ctx: BrowserContext) => {
        ctx.pages().forEach(watchPage);
        ctx.on("page", watchPage);
      };
      watch(context);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args: Parameters<typeof browser.newContext>) => {
        const ctx = await newContext(...args);
        watch(ctx);
        return ctx;
      };
      await use();
      browser.newContext = newContext;
      expect(errors, "errors in the browser console").toEqual([]);
    },
    { auto: true },
  ],
});

export const DEMO_PASSWORD = "kring-demo-2026";
export const ADMIN = "beheer@esdal.test";
export const TEACHER = "a.debruin@esdal.test";

/** Fails with a list of what axe-core finds against WCAG 2.1 A and AA on the page. */
export async function expectNoViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(summary, `${what} has WCAG 2.1 A/AA violations`).toEqual([]);
}

/** Waits until the wasm has hydrated the page (the app marks <body>). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 30_000 });
}

export async function login(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("E-mailadres").fill(email);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Inloggen" }).click();
  // A school leader's home page is their dashboard.
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/Welkom|Dashboard/);
}

/** The newest mail in Kring's outbox addressed to `to`, waiting for it to arrive. */
export async function mailTo(to: string, after = 0): Promise<string> {
  const dir = process.env.KRING_E2E_OUTBOX;
  if (!dir) throw new Error("KRING_E2E_OUTBOX is not set");
  for (let attempt = 0; attempt < 50; attempt++) {
    const mails = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".eml"))
          .map((f) => path.join(dir, f))
          .map((f) => ({ file: f, time: fs.statSync(f).mtimeMs, text: fs.readFileSync(f, "utf8") }))
          .filter((m) => m.time > after && m.text.includes(`To: ${to}`))
          .sort((a, b) => a.time - b.time)
      : [];
    if (mails.length > 0) return decodeQuotedPrintable(mails[mails.length - 1].text);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to}`);
}

export function linkIn(mail: string, pathPrefix: string): string {
  const match = mail.match(new RegExp(`https?://[^\\s]+${pathPrefix}[^\\s]+`));
  if (!match) throw new Error(`no ${pathPrefix} link in mail:\n${mail}`);
  return new URL(match[0]).pathname;
}

/** Undoes quoted-printable encoding (soft line breaks and =XX escapes). */
export function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
