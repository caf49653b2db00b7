import * as fs from "node:fs";
import { type Page } from "@playwright/test";
import { DEMO_PASSWORD, expect, hydrated, test } from "./helpers";

const LEADER = "m.veenstra@esdal.test";

/** A school leader's home page is the dashboard. */
async function signInLeader(page: Page, javaScript: boolean) {
  await page.goto("/login");
  if (javaScript) await hydrated(page);
  await page.getByLabel("E-mailadres").fill(LEADER);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dashboard");
}

async function readsTheDashboard(page: Page, javaScript: boolean) {
  await signInLeader(page, javaScript);
  await expect(page.getByText("Esdal Lyceum · Deze periode")).toBeVisible();
  // The participation chart is an image with a name and a reading.
  const chart = page.getByRole("img", { name: "Aandeel medewerkers dat meedoet, per maand" });
  await expect(chart).toBeVisible();
  const rate = page.locator("figure", { has: chart });
  await expect(rate.locator("figcaption")).toContainText(/medewerkers (die in de drie maanden|deed in de drie maanden)/);
  // Its figures as a table, opened without a script.
  await rate.getByText("Toon de cijfers als tabel").click();
  const table = rate.getByRole("table");
  await expect(table.getByRole("columnheader", { name: "Medewerkers" })).toBeVisible();
  const staff = await table.locator("tbody tr").last().locator("td").first().innerText();
  expect(Number(staff), "the school's staff are counted").toBeGreaterThanOrEqual(5);
  // Small groups are hidden, and the page says how.
  await expect(page.getByText("verborgen").first()).toBeAttached();

  // Another period, by a plain form.
  await page.getByLabel("Periode", { exact: true }).selectOption({ label: "Dit schooljaar" });
  await page.getByRole("button", { name: "Toon", exact: true }).click();
  await expect(page).toHaveURL(/period=year/);
  await expect(page.getByText("Esdal Lyceum · Dit schooljaar")).toBeVisible();

  // The CSV holds the same staff figure for the last month.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download de cijfers (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("kring-dashboard.csv");
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const lines = csv.split("\n").filter((l) => l.startsWith("Deelname,Medewerkers,Esdal Lyceum,"));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines[lines.length - 1].split(",")[4]).toBe(staff);
}

test("a school leader reads the dashboard, a chart's table and the CSV", async ({ page }) => {
  await readsTheDashboard(page, true);
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("a school leader reads the dashboard, a chart's table and the CSV", async ({ page }) => {
    await readsTheDashboard(page, false);
  });
});
