import { DEMO_PASSWORD, expect, TEACHER, test } from "./helpers";

test.use({ javaScriptEnabled: false });

test("the login form works with JavaScript off", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mailadres").fill(TEACHER);
  await page.getByLabel("Wachtwoord", { exact: true }).fill("niet het wachtwoord");
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("alert")).toContainText("Het e-mailadres of het wachtwoord klopt niet.");

  await page.getByLabel("E-mailadres").fill(TEACHER);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welkom, Anouk de Bruin");

  await page.goto("/profile");
  await expect(page.getByLabel("Naam", { exact: true })).toHaveValue("Anouk de Bruin");

  await page.getByRole("button", { name: "Uitloggen" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inloggen");
});

test("pages that need a session send visitors to log in", async ({ page }) => {
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\?next=\/profile/);
});

test("a round lead runs the demo's planned round with plain forms", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("E-mailadres").fill("h.postma@esdal.test");
  await page.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await page.getByRole("link", { name: "Intervisie startende docenten" }).first().click();
  // The demo's next round is planned and ready to start.
  await page.getByTestId("rounds").locator("li", { hasText: "Een klas die niet stil wordt bij de start" }).getByRole("link").click();
  await expect(page.getByTestId("round-status")).toHaveText("Nog niet begonnen");
  await page.getByRole("button", { name: "Ronde starten" }).click();
  await expect(page.getByTestId("round-status")).toHaveText("Loopt");
  await page.getByRole("button", { name: "Pauzeren" }).click();
  await expect(page.getByTestId("round-status")).toHaveText("Gepauzeerd");

  // The presentation view fills the screen with the round: no header or navigation.
  await page.goto(`${new URL(page.url()).pathname}?presentation=1`);
  await expect(page.getByTestId("phase-title")).toBeVisible();
  await expect(page.getByTestId("countdown")).toBeVisible();
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByRole("button", { name: "Ronde starten" })).toHaveCount(0);
});
