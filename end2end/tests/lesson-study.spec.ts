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
  test.setTimeout(240_000);
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
  // The observer works on a phone; the classroom's connection comes and goes.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const observer = await phone.newPage();
  await login(observer, OBSERVER);
  await open(observer, cycleUrl);
  await expect(observer.getByTestId("next-step")).toContainText("Jij observeert je casusleerlingen");
  await observer.getByRole("link", { name: "Observatieformulier openen" }).click();
  await hydrated(observer);
  await expect(observer.getByRole("link", { name: "L3 · jouw leerling" })).toHaveAttribute("aria-current", "true");
  const start = observer.locator("section", { has: observer.getByRole("heading", { name: /^Start/ }) });
  const note = async (text: string, mark: string) => {
    await start.getByLabel("Notitie").fill(text);
    await start.getByRole("button", { name: mark }).tap();
  };
  const notes = start.getByTestId("observe-note");
  const status = observer.getByTestId("observe-status");
  await note("L3 schrijft niets op, kijkt naar de buurman.", "Zoals voorspeld");
  await expect(notes.filter({ hasText: "kijkt naar de buurman" })).toContainText("opgeslagen");
  await expect(status).toHaveText("1 opgeslagen op de server");

  // Offline: notes wait on the phone, and go when the connection is back.
  await phone.setOffline(true);
  await note("L3 tekent een tabel na de vraag van de leraar.", "Anders");
  await note("L3 legt de tabel uit aan de buurman.", "Anders");
  await expect(status).toHaveText("1 opgeslagen op de server · 2 wachten op deze telefoon");
  await expect(notes.filter({ hasText: "legt de tabel uit" })).toContainText("wacht");
  await phone.setOffline(false);
  await expect(status).toHaveText("3 opgeslagen op de server", { timeout: 20_000 });

  // Offline again, a note, and the tab closed before the connection is back.
  await phone.setOffline(true);
  await note("L3 rekent 15% van 80 goed uit.", "Niet gezien");
  await expect(status).toHaveText("3 opgeslagen op de server · 1 wachten op deze telefoon");
  await observer.close();
  await phone.setOffline(false);
  const reopened = await phone.newPage();
  await open(reopened, `${cycleUrl}/observe`);
  const reopenedStatus = reopened.getByTestId("observe-status");
  await expect(reopenedStatus).toHaveText("4 opgeslagen op de server", { timeout: 20_000 });
  await expect(reopened.getByTestId("observe-note")).toHaveCount(4);

  // Without any connection the form still opens (the service worker kept a copy), with
  // every note; one taken there waits, and goes when the connection is back.
  await expect.poll(() => reopened.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await open(reopened, `${cycleUrl}/observe`);
  await phone.setOffline(true);
  const offlineLoad = await reopened.reload();
  expect(offlineLoad?.fromServiceWorker(), "the offline form comes from the service worker's copy").toBe(true);
  await hydrated(reopened);
  await expect(reopenedStatus).toHaveText("4 opgeslagen op de server");
  const again = reopened.locator("section", { has: reopened.getByRole("heading", { name: /^Start/ }) });
  await again.getByLabel("Notitie").fill("L3 kijkt de tabel na bij de buurman.");
  await again.getByRole("button", { name: "Anders" }).tap();
  await expect(reopenedStatus).toHaveText("4 opgeslagen op de server · 1 wachten op deze telefoon");
  await phone.setOffline(false);
  await expect(reopenedStatus).toHaveText("5 opgeslagen op de server", { timeout: 20_000 });

  // Another device (no notes kept on it) sees the same five from the server: none lost, none doubled.
  const laptop = await signedIn(browser, OBSERVER);
  await open(laptop, `${cycleUrl}/observe?pupil=L3`);
  await expect(laptop.getByTestId("observe-note")).toHaveCount(5);
  await expect(laptop.getByTestId("observe-status")).toHaveText("5 opgeslagen op de server");
  await open(guest, cycleUrl);
  await expect(guest.getByTestId("cycle-phase")).toHaveText("Lesgeven & observeren");
  await expect(guest.getByRole("button", { name: /Door naar/ })).toHaveCount(0);
  await open(laptop, `${cycleUrl}/print`);
  await expect(laptop.getByRole("heading", { name: "Observatieformulier · L3" })).toBeVisible();

  // The discussion: every observer's notes next to the predictions; the guest records the comments.
  await moveOn(facilitator, "Nabespreking");
  await open(guest, `${cycleUrl}/discuss`);
  await expect(guest.getByTestId("protocol")).toContainText("Bedank de leraar");
  await expect(guest.getByText("L3 legt de tabel uit aan de buurman.")).toBeVisible();
  await guest.getByLabel("Besluiten voor de herziening").fill("Start langer: eerst alleen schatten.");
  await guest.getByLabel("Commentaar van de externe deskundige").fill("Laat ook stille leerlingen aan het woord.");
  await guest.getByRole("button", { name: "Verslag opslaan" }).click();
  await expect(guest.getByText("Het verslag van het nagesprek is opgeslagen.")).toBeVisible();

  // Revise from the discussion's decisions; the second lesson shows what changed since the first.
  await open(facilitator, cycleUrl);
  await moveOn(facilitator, "Herzien");
  await open(teacher, `${cycleUrl}/plan`);
  await expect(teacher.getByLabel("Waarom deze versie")).toHaveValue("Start langer: eerst alleen schatten.");
  await teacher.locator("#field-phases\\[0\\]\\[minutes\\]").fill("10");
  await teacher.getByRole("button", { name: "Plan opslaan" }).click();
  await expect(teacher.getByText("Het plan is opgeslagen als nieuwe versie.")).toBeVisible();
  await open(teacher, cycleUrl);
  await expect(teacher.getByTestId("plan-changes")).toContainText("Start · gewijzigd: Minuten");
  await expect(teacher.getByTestId("plan-rationale")).toHaveText("Start langer: eerst alleen schatten.");
  await open(facilitator, cycleUrl);
  await moveOn(facilitator, "Lesgeven & observeren");
  await expect(facilitator.getByText("onderzoeksles 2 van 2").first()).toBeVisible();
  await moveOn(facilitator, "Nabespreking");
  await moveOn(facilitator, "Delen");

  // Share: the report, assembled from the cycle, published in the knowledge base.
  await open(facilitator, `${cycleUrl}/report`);
  await expect(facilitator.getByText("Laat ook stille leerlingen aan het woord.").first()).toBeVisible();
  await facilitator.getByRole("button", { name: "Publiceer in de kennisbank" }).click();
  await expect(facilitator).toHaveURL(/\/a\//);
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText(title);
  await open(facilitator, cycleUrl);
  await moveOn(facilitator, "Afgerond");
  await expect(facilitator.getByTestId("next-step")).toHaveText("Deze cyclus is afgerond.");
  await open(facilitator, communityUrl);
  await expect(facilitator.getByTestId("lesson-study-card").locator("li", { hasText: title })).toContainText("Afgerond");
});
