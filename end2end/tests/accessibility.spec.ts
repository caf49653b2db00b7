import { ADMIN, expect, expectNoViolations, login, TEACHER, test } from "./helpers";

test("public pages have no WCAG 2.1 A/AA violations", async ({ page }) => {
  for (const path of ["/login", "/password/forgot", "/password/reset/ongeldig", "/invite/ongeldig", "/bestaat-niet"]) {
    await page.goto(path);
    await expectNoViolations(page, path);
  }
});

test("signed-in pages have no WCAG 2.1 A/AA violations", async ({ page }) => {
  await login(page, ADMIN);
  for (const path of ["/", "/profile", "/admin/staff"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoViolations(page, path);
  }
  // Error states too.
  await page.goto("/profile");
  await page.getByLabel("Naam", { exact: true }).fill("");
  await page.getByRole("button", { name: "Opslaan" }).click();
  await expect(page.getByText("Vul dit veld in.")).toBeVisible();
  await expectNoViolations(page, "/profile with errors");
});

test("community pages have no WCAG 2.1 A/AA violations", async ({ page }) => {
  await login(page, TEACHER);
  await page.getByRole("link", { name: "Begrijpend lezen in de onderbouw" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Begrijpend lezen in de onderbouw");
  const community = new URL(page.url()).pathname;
  const firstMeeting = page.locator("section", { has: page.getByRole("heading", { name: "Bijeenkomsten" }) }).getByRole("link").nth(1);
  const meeting = await firstMeeting.getAttribute("href");
  const pages = [community, `${community}/level`, `${community}/edit`, `${community}/meetings/new`, "/communities", "/communities/new"];
  for (const path of [...pages, meeting!, `${meeting}/edit`, "/notifications"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoViolations(page, path);
  }
});

test("lesson-study pages have no WCAG 2.1 A/AA violations", async ({ page }) => {
  await login(page, "j.bakker@esdal.test");
  await page.getByRole("link", { name: "Lesson study rekenvaardigheid" }).first().click();
  const card = page.getByTestId("lesson-study-card");
  const completed = await card.getByRole("link", { name: "Verhoudingstabellen in drie vakken" }).getAttribute("href");
  const running = await card.getByRole("link", { name: "Procenten: van deel naar geheel" }).getAttribute("href");
  const pages = [
    completed!,
    `${completed}/discuss`,
    `${completed}/discuss?lesson=1`,
    `${completed}/report`,
    `${completed}/print`,
    running!,
    `${running}/plan`,
    `${running}/observe`,
  ];
  for (const path of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoViolations(page, path);
  }
});

test("the leaders' dashboard and what leaders see have no WCAG 2.1 A/AA violations", async ({ page }) => {
  await login(page, ADMIN);
  for (const path of ["/dashboard", "/dashboard?period=year", "/privacy/leaders"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    for (const summary of await page.locator("details.chart__data summary").all()) await summary.click();
    await expectNoViolations(page, path);
  }
});
