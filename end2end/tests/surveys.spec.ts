import { type Browser, type Page } from "@playwright/test";
import { expect, expectNoViolations, login, test } from "./helpers";

const LEADER = "m.veenstra@esdal.test";
/** Staff of Esdal Lyceum, the leader's school, whose password no other test changes. */
const ANSWER_SIX = [
  "a.debruin@esdal.test",
  "j.bakker@esdal.test",
  "n.kok@esdal.test",
  "t.kuipers@esdal.test",
  "l.jansen@esdal.test",
  "d.smit@esdal.test",
];
const ANSWER_FOUR = ["e.visser@esdal.test", "r.meijer@esdal.test", "n.hendriks@esdal.test", "b.vandijk@esdal.test"];

/** The leader opens a survey of the whole school with the default statements. */
async function openSchoolSurvey(page: Page): Promise<string> {
  await page.goto("/surveys/new");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Peiling uitzetten");
  await page.getByLabel("Vraag aan").selectOption({ label: "Esdal Lyceum" });
  await page.getByRole("button", { name: "Peiling openen" }).click();
  await expect(page).toHaveURL(/\/surveys\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Tot nu toe 0 keer ingevuld.")).toBeVisible();
  return new URL(page.url()).pathname;
}

/** One colleague answers every statement with `choice`, in a browser of their own. */
async function answer(browser: Browser, email: string, survey: string, choice: string, javaScript: boolean) {
  const context = await browser.newContext({ javaScriptEnabled: javaScript });
  const page = await context.newPage();
  if (javaScript) {
    await login(page, email);
  } else {
    await page.goto("/login");
    await page.getByLabel("E-mailadres").fill(email);
    await page.getByLabel("Wachtwoord", { exact: true }).fill("kring-demo-2026");
    await page.getByRole("button", { name: "Inloggen" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welkom");
  }
  await page.goto(survey);
  const statements = page.locator("fieldset.survey-item");
  await expect(statements).toHaveCount(8);
  for (let i = 0; i < 8; i++) {
    await statements.nth(i).getByLabel(choice, { exact: true }).check();
  }
  await page.getByRole("button", { name: "Antwoorden versturen" }).click();
  await expect(page.getByText("Dank je voor het invullen.")).toBeVisible();
  await context.close();
}

test("a survey answered by six shows its result; one answered by four does not", async ({ page, browser }) => {
  test.setTimeout(240_000);
  await login(page, LEADER);
  await page.goto("/surveys");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Peilingen");
  await expectNoViolations(page, "/surveys");
  await page.goto("/surveys/new");
  await expectNoViolations(page, "/surveys/new");

  // Six answer (some with JavaScript off): once closed, the result shows.
  const six = await openSchoolSurvey(page);
  for (const [i, email] of ANSWER_SIX.entries()) {
    await answer(browser, email, six, i < 3 ? "Eens" : "Helemaal eens", i % 2 === 0);
  }
  await page.goto(six);
  await expect(page.getByText("Tot nu toe 6 keer ingevuld.")).toBeVisible();
  await expect(page.getByText(/De uitkomst verschijnt zodra de peiling gesloten is/)).toBeVisible();
  await page.getByRole("button", { name: "Nu sluiten" }).click();
  await expect(page.getByText("6 mensen antwoordden.")).toBeVisible();
  const chart = page.getByRole("img", { name: /Antwoorden per thema/ });
  await expect(chart).toBeVisible();
  const figure = page.locator("figure", { has: chart });
  await expect(figure.locator("figcaption")).toContainText("De meeste instemming bij");
  await figure.getByText("Toon als tabel").click();
  const vision = figure.getByRole("row", { name: /Gedeelde waarden en visie/ });
  await expect(vision.getByRole("cell")).toHaveText(["0 (0 %)", "0 (0 %)", "3 (50 %)", "3 (50 %)", "100 %", "–"]);
  await expectNoViolations(page, "a survey's results");

  // Four answer: closed, it says there are not enough responses, and shows no figures.
  const four = await openSchoolSurvey(page);
  for (const email of ANSWER_FOUR) {
    await answer(browser, email, four, "Oneens", true);
  }
  await page.goto(four);
  await page.getByRole("button", { name: "Nu sluiten" }).click();
  await expect(page.getByText(/Nog niet genoeg reacties/)).toBeVisible();
  await expect(page.getByRole("img", { name: /Antwoorden per thema/ })).toHaveCount(0);
  await expect(page.getByText(/^\d+ mensen antwoordden\.$/)).toHaveCount(0);

  // The leader's dashboard shows the first under Culture, and not the second's figures.
  await page.goto("/dashboard");
  const culture = page.locator("section", { has: page.getByRole("heading", { name: "Cultuur" }) });
  await expect(culture.getByText("6 mensen antwoordden.")).toBeVisible();
  await expect(culture.getByText(/Nog niet genoeg reacties/)).toBeVisible();
});

test("the answer form has no WCAG 2.1 A/AA violations", async ({ page, browser }) => {
  await login(page, LEADER);
  const survey = await openSchoolSurvey(page);
  const context = await browser.newContext();
  const teacher = await context.newPage();
  await login(teacher, "p.dekker@esdal.test");
  await teacher.goto(survey);
  await expect(teacher.locator("fieldset.survey-item")).toHaveCount(8);
  await expectNoViolations(teacher, "the answer form");
  // Sending it half done names what is missing and keeps the survey open for them.
  await teacher.locator("fieldset.survey-item").first().getByLabel("Eens", { exact: true }).check();
  await teacher.getByRole("button", { name: "Antwoorden versturen" }).click();
  await expect(teacher.getByText("Kies bij elke stelling een antwoord.")).toBeVisible();
  await expectNoViolations(teacher, "the answer form with an error");
  await context.close();
  await page.goto(survey);
  await page.getByRole("button", { name: "Nu sluiten" }).click();
  await expect(page.getByText(/Nog niet genoeg reacties/)).toBeVisible();
});
