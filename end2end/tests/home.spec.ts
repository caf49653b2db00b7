import { DEMO_PASSWORD, expect, hydrated, login, TEACHER, test } from "./helpers";
import AxeBuilder from "@axe-core/playwright";

test("the home page says what is next, each part a link or a friendly empty state", async ({ page }) => {
  await login(page, TEACHER);
  await hydrated(page);
  for (const title of ["Volgende bijeenkomst", "Mijn acties", "Wacht op jou", "Kennis in mijn beheer", "Nieuwste meldingen"]) {
    await expect(page.getByRole("heading", { level: 2, name: title })).toBeVisible();
  }
  // No open actions for this facilitator: the card says how they come about.
  await expect(page.getByTestId("my-actions")).toContainText("Breng je een casus in");
  await page.getByRole("link", { name: "Alle meldingen" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Meldingen");

  await page.goto("/");
  const meeting = page.getByTestId("next-meeting").getByRole("link").first();
  if ((await meeting.count()) > 0) {
    await meeting.click();
    await expect(page).toHaveURL(/\/m\//);
  } else {
    await expect(page.getByTestId("next-meeting")).toContainText("Er is geen bijeenkomst gepland");
  }

  await page.goto("/");
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`), "the home page is accessible").toEqual([]);
});

test.describe("on a phone without JavaScript", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 375, height: 740 } });

  test("the navigation folds into a menu that still opens", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mailadres").fill(TEACHER);
    await page.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Inloggen" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welkom, Anouk de Bruin");

    const nav = page.getByRole("navigation", { name: "Hoofdmenu" });
    const knowledge = nav.getByRole("link", { name: "Kennisbank", exact: true });
    await expect(knowledge).toBeHidden();
    const header = await page.locator(".site-header").boundingBox();
    expect(header!.height, "the folded header stays small").toBeLessThan(120);
    await nav.getByText("Menu").click();
    await expect(knowledge).toBeVisible();
    await knowledge.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Kennisbank");
  });
});

test("on a wide screen the links show in a row without a menu toggle", async ({ page }) => {
  await login(page, TEACHER);
  const nav = page.getByRole("navigation", { name: "Hoofdmenu" });
  await expect(nav.getByRole("link", { name: "Kennisbank", exact: true })).toBeVisible();
  await expect(nav.getByText("Menu", { exact: true })).toBeHidden();
});
