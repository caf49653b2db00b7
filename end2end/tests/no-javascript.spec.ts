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
