import { type Browser, type Page } from "@playwright/test";
import { expect, hydrated, linkIn, login, mailTo, test } from "./helpers";

/** The demo's lesson-study community; no other browser test signs in as its people. */
const COMMUNITY = "Lesson study rekenvaardigheid";
const FACILITATOR = "j.bakker@esdal.test";
const TEACHER = "j.brouwer@esdal.test";
const OBSERVER = "b.vandijk@esdal.test";

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, email);
  await hydrated(page);
  return page;
}

async function open(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
}

async function moveOn(page: Page, to: string) {
  await page.getByRole("button", { name: `Door naar: ${to}` }).click();
  await expect(page.getByTestId("cycle-phase")).toHaveText(to);
}

test("a cycle runs through two research lessons with three members and a guest knowledgeable other", async ({ browser }) => {
  const facilitator = await signedIn(browser, FACILITATOR);
  await facilitator.getByRole("link", { name: COMMUNITY }).click();
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText(COMMUNITY);
  await hydrated(facilitator);
  const communityUrl = facilitator.url();

  // A guest from the teacher-training institute joins as the knowledgeable other.
  const guestEmail = `deskundige.${Date.now()}@pabo.test`;
  const facilitation = facilitator.locator("section", { has: facilitator.getByRole("heading", { name: "Procesbegeleiding" }) });
  await facilitation.getByLabel("E-mailadres van de gast").fill(guestEmail);
  await facilitation.getByRole("button", { name: "Gast uitnodigen" }).click();
  await expect(facilitation.getByTestId("guest-invitations")).toContainText(guestEmail);
  const guest = await (await browser.newContext()).newPage();
  await open(guest, linkIn(await mailTo(guestEmail), "/invite/"));
  await guest.getByLabel("Je naam").fill("Greet Deskundige");
  await guest.getByLabel("Wachtwoord", { exact: true }).fill("een deskundige in de kring");
  await guest.getByLabel("Herhaal het wachtwoord").fill("een deskundige in de kring");
  await guest.getByRole("button", { name: "Account aanmaken" }).click();
  await expect(guest.getByRole("heading", { level: 1 })).toHaveText("Welkom, Greet Deskundige");

  // The facilitator starts a cycle; an empty learning question is refused at its field.
  await open(facilitator, communityUrl);
  await facilitator.getByTestId("lesson-study-card").getByRole("link", { name: "Lesson-studycyclus starten" }).click();
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText("Lesson-studycyclus starten");
  await hydrated(facilitator);
  const title = `Procenten als verhouding ${Date.now()}`;
  await facilitator.getByLabel("Titel").fill(title);
  await facilitator.getByRole("button", { name: "Cyclus starten" }).click();
  await expect(facilitator.locator("#field-learning_question-error")).toBeVisible();
  await facilitator.getByLabel("Vak").fill("Wiskunde");
  await facilitator.getByLabel("Leerjaar").fill("Havo 3");
  await facilitator.getByLabel("Leervraag").fill("Hoe zien leerlingen dat 15% van 80 hetzelfde is als 80% van 15?");
  await facilitator.getByLabel("Geplande onderzoekslessen").selectOption("2");
  await facilitator.getByLabel("Externe deskundige").selectOption({ label: "Greet Deskundige" });
  await facilitator.getByRole("button", { name: "Cyclus starten" }).click();
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(facilitator);
  const cycleUrl = facilitator.url();
  await expect(facilitator.getByTestId("cycle-phase")).toHaveText("Verkennen");
  await expect(facilitator.locator("dd", { hasText: "Greet Deskundige" })).toBeVisible();

  // The research lesson: Joost teaches 3H, Bas and Jeroen observe case pupils.
  await facilitator.getByLabel("Leraar").selectOption({ label: "Joost Brouwer" });
  await facilitator.getByLabel("Klas").fill("3H");
  await facilitator.getByLabel("Bas van Dijk").fill("L3");
  await facilitator.getByLabel("Jeroen Bakker").fill("L1 L2");
  await facilitator.getByLabel("Joost Brouwer", { exact: true }).fill("L1");
  await facilitator.getByRole("button", { name: "Inrichting opslaan" }).click();
  await expect(facilitator.getByText("De leraar kan deze les niet ook observeren", { exact: false }).first()).toBeVisible();
  await facilitator.getByLabel("Joost Brouwer", { exact: true }).fill("");
  await facilitator.getByRole("button", { name: "Inrichting opslaan" }).click();
  await expect(facilitator.getByText("De onderzoeksles is ingericht.")).toBeVisible();
  await expect(facilitator.getByText("Bas van Dijk · L3")).toBeVisible();
  await moveOn(facilitator, "Ontwerpen");

  // The teacher writes the plan; the facilitator, who opened it before, cannot overwrite it.
  const teacher = await signedIn(browser, TEACHER);
  await open(teacher, cycleUrl);
  await expect(teacher.getByTestId("next-step")).toContainText("Schrijf samen het lesplan");
  await open(facilitator, `${cycleUrl}/plan`);
  await open(teacher, `${cycleUrl}/plan`);
  await teacher.getByLabel("Doelen van de les").fill("Leerlingen zien procenten als verhouding.");
  await teacher.locator("#field-phases\\[0\\]\\[title\\]").fill("Start");
  await teacher.locator("#field-phases\\[0\\]\\[minutes\\]").fill("5");
  await teacher.locator("#field-pupils\\[0\\]\\[code\\]").fill("Sanne");
  await teacher.getByRole("button", { name: "Plan opslaan" }).click();
  await expect(teacher.locator("#field-pupils\\[0\\]\\[code\\]-error")).toBeVisible();
  await teacher.locator("#field-pupils\\[0\\]\\[code\\]").fill("L1");
  await teacher.getByRole("button", { name: "Plan opslaan" }).click();
  await expect(teacher.getByText("Het plan is opgeslagen als nieuwe versie.")).toBeVisible();
  await teacher.getByRole("link", { name: "Terug naar de cyclus" }).click();
  await expect(teacher.getByRole("rowheader", { name: "Start" }).first()).toBeVisible();
  await facilitator.getByLabel("Doelen van de les").fill("Iets anders");
  await facilitator.getByRole("button", { name: "Plan opslaan" }).click();
  await expect(facilitator.getByRole("alert")).toBeVisible();
  await open(facilitator, cycleUrl);
  await expect(facilitator.getByText("Leerlingen zien procenten als verhouding.")).toBeVisible();

  // Teach & observe: each sees their own part; the guest follows the cycle too.
  await moveOn(facilitator, "Lesgeven & observeren");
  await open(teacher, cycleUrl);
  await expect(teacher.getByTestId("next-step")).toContainText("Jij geeft de onderzoeksles.");
  const observer = await signedIn(browser, OBSERVER);
  await open(observer, cycleUrl);
  await expect(observer.getByTestId("next-step")).toContainText("Jij observeert je casusleerlingen");
  await open(guest, cycleUrl);
  await expect(guest.getByTestId("cycle-phase")).toHaveText("Lesgeven & observeren");
  await expect(guest.getByRole("button", { name: /Door naar/ })).toHaveCount(0);
  await open(observer, `${cycleUrl}/print`);
  await expect(observer.getByRole("heading", { name: "Observatieformulier · L3" })).toBeVisible();

  // Discuss, revise, and the second lesson shows what changed since the first.
  await moveOn(facilitator, "Nabespreking");
  await moveOn(facilitator, "Herzien");
  await open(teacher, `${cycleUrl}/plan`);
  await teacher.locator("#field-phases\\[0\\]\\[minutes\\]").fill("10");
  await teacher.getByRole("button", { name: "Plan opslaan" }).click();
  await expect(teacher.getByText("Het plan is opgeslagen als nieuwe versie.")).toBeVisible();
  await open(teacher, cycleUrl);
  await expect(teacher.getByTestId("plan-changes")).toContainText("Start · gewijzigd: Minuten");
  await open(facilitator, cycleUrl);
  await moveOn(facilitator, "Lesgeven & observeren");
  await expect(facilitator.getByText("onderzoeksles 2 van 2").first()).toBeVisible();
  await moveOn(facilitator, "Nabespreking");
  await moveOn(facilitator, "Delen");
  await moveOn(facilitator, "Afgerond");
  await expect(facilitator.getByTestId("next-step")).toHaveText("Deze cyclus is afgerond.");
  await open(facilitator, communityUrl);
  await expect(facilitator.getByTestId("lesson-study-card").locator("li", { hasText: title })).toContainText("Afgerond");
});
