import { type Browser, type Page } from "@playwright/test";
import { expect, hydrated, login, test } from "./helpers";

/** A demo community no other browser test signs in to. */
const COMMUNITY = "Intervisie startende docenten";
const FACILITATOR = "h.postma@esdal.test";
const CASE_BRINGER = "s.timmer@esdal.test";
const LEAD = "i.vanleeuwen@esdal.test";
const TIMEKEEPER = "g.hoekstra@esdal.test";
/** A member of the community who is not marked present. */
const OUTSIDER = "l.jansen@esdal.test";

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, email);
  return page;
}

/** Opens the round and waits until its live connection is up. */
async function openRound(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
  await expect(page.locator("[data-testid=round][data-live=true]")).toHaveCount(1);
}

/** A countdown such as "4:59" or "−0:30" in seconds. */
function seconds(clock: string): number {
  const negative = clock.startsWith("−");
  const [m, s] = clock.replace("−", "").split(":");
  const total = Number(m) * 60 + Number(s);
  return negative ? -total : total;
}

/** The case bringer brings a case; the facilitator plans a round on it with LEAD
 * leading, TIMEKEEPER keeping time and the roles Kring suggests changed. Returns the
 * round's path. */
async function plannedRound(bringer: Page, facilitator: Page, title: string): Promise<string> {
  await bringer.goto("/");
  await bringer.getByRole("link", { name: COMMUNITY }).click();
  await expect(bringer.getByRole("heading", { level: 1 })).toHaveText(COMMUNITY);
  await bringer.getByText("Casus inbrengen", { exact: true }).first().click();
  await bringer.getByLabel("Titel", { exact: true }).fill(title);
  await bringer.getByLabel("Situatie", { exact: true }).fill("Na de gymles komt 1C onrustig binnen en duurt het tien minuten voor we kunnen beginnen.");
  await bringer.getByLabel("Vraag", { exact: true }).fill("Hoe krijg ik de eerste minuten na de gymles rustig?");
  await bringer.getByRole("button", { name: "Casus inbrengen" }).click();
  await expect(bringer.getByText(title)).toBeVisible();
  await facilitator.goto("/");
  await facilitator.getByRole("link", { name: COMMUNITY }).click();
  await facilitator.getByRole("link", { name: "Ronde plannen" }).click();
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText("Ronde plannen");
  await facilitator.getByLabel("Casus", { exact: true }).selectOption({ label: `${title} (Sophie Timmer)` });
  await facilitator.getByLabel(/Incidentmethode \(10 fasen\)/).check();
  await facilitator.getByLabel("Gespreksleider", { exact: true }).selectOption({ label: "Iris van Leeuwen" });
  await facilitator.getByLabel("Tijdbewaker", { exact: true }).selectOption({ label: "Gijs Hoekstra" });
  await facilitator.getByLabel("Notulist", { exact: true }).selectOption({ label: "Niemand" });
  await facilitator.getByRole("button", { name: "Ronde plannen" }).click();
  await expect(facilitator.getByTestId("round")).toBeVisible();
  const roundUrl = new URL(facilitator.url()).pathname;
  expect(roundUrl).toMatch(/^\/r\/[0-9a-f-]{36}$/);
  return roundUrl;
}

test("a facilitator takes over when the lead's tab closes and every screen follows", async ({ browser }) => {
  // The lead counts as gone 30 seconds after their last screen closed.
  test.setTimeout(150_000);
  const bringer = await signedIn(browser, CASE_BRINGER);
  const facilitator = await signedIn(browser, FACILITATOR);
  const roundUrl = await plannedRound(bringer, facilitator, `Rommelige start ${Date.now()}`);
  const lead = await signedIn(browser, LEAD);
  const timekeeper = await signedIn(browser, TIMEKEEPER);
  for (const page of [lead, timekeeper, bringer, facilitator]) await openRound(page, roundUrl);
  for (const page of [timekeeper, bringer, facilitator]) await page.evaluate(() => ((window as any).kringNoReload = true));

  // The lead starts; their screen is connected, so nobody is offered the lead.
  await lead.getByRole("button", { name: "Ronde starten" }).click();
  for (const page of [timekeeper, bringer, facilitator]) await expect(page.getByTestId("round-status")).toHaveText("Loopt");
  await expect(facilitator.getByTestId("takeover")).toHaveCount(0);
  // The timekeeper keeps the clock: a pause reaches every screen, and so does resuming.
  await timekeeper.getByRole("button", { name: "Pauzeren" }).click();
  for (const page of [lead, bringer, facilitator]) await expect(page.getByTestId("round-status")).toHaveText("Gepauzeerd");
  await timekeeper.getByRole("button", { name: "Hervatten" }).click();
  await expect(bringer.getByTestId("round-status")).toHaveText("Loopt");

  // The lead's tab closes mid-round.
  await lead.context().close();
  await expect(facilitator.getByTestId("takeover")).toBeVisible({ timeout: 60_000 });
  await expect(bringer.getByTestId("takeover")).toContainText("Iris van Leeuwen");
  await expect(bringer.getByRole("button", { name: "Leiding overnemen" })).toHaveCount(0);

  // The facilitator takes over in place; every screen follows without a reload.
  await facilitator.getByRole("button", { name: "Leiding overnemen" }).click();
  await expect(facilitator.getByTestId("round-controls")).toBeVisible();
  for (const page of [timekeeper, bringer, facilitator]) {
    await expect(page.getByTestId("lead-changes")).toHaveText("Hanneke Postma nam de leiding over van Iris van Leeuwen.");
    await expect(page.getByTestId("takeover")).toHaveCount(0);
  }
  await facilitator.locator("summary", { hasText: "Volgende fase" }).click();
  await facilitator.getByRole("button", { name: "Ja, naar de volgende fase" }).click();
  for (const page of [timekeeper, bringer, facilitator]) await expect(page.getByTestId("phase-title")).toHaveText("Incident kiezen");
  for (const page of [timekeeper, bringer, facilitator]) {
    expect(await page.evaluate(() => (window as any).kringNoReload)).toBe(true);
  }
});

test("a refused step is explained on the lead's screen", async ({ browser }) => {
  const bringer = await signedIn(browser, CASE_BRINGER);
  const facilitator = await signedIn(browser, FACILITATOR);
  const roundUrl = await plannedRound(bringer, facilitator, `Tweede tab ${Date.now()}`);
  // The lead has the round open in two tabs; the second one's live connection is held
  // back, so it still shows the round as it was when it opened.
  const lead = await signedIn(browser, LEAD);
  const second = await lead.context().newPage();
  await second.route("**/r/*/events", () => {
    // Never answered: the tab keeps what it showed at load.
  });
  await second.goto(roundUrl);
  await hydrated(second);
  await second.evaluate(() => ((window as any).kringNoReload = true));
  await openRound(lead, roundUrl);
  await lead.getByRole("button", { name: "Ronde starten" }).click();
  await expect(lead.getByTestId("round-status")).toHaveText("Loopt");
  // A start decided on the old screen is refused, and the screen says why.
  await second.getByRole("button", { name: "Ronde starten" }).click();
  await expect(second.getByTestId("round-feedback")).toHaveText(/De ronde is intussen verder gegaan/);
  expect(await second.evaluate(() => (window as any).kringNoReload)).toBe(true);
});

test("a round lead runs a round and every screen follows live", async ({ browser }) => {
  // The case bringer brings a case to the community; the facilitator plans a round on it.
  const bringer = await signedIn(browser, CASE_BRINGER);
  const facilitator = await signedIn(browser, FACILITATOR);
  const title = `Onrust na de gymles ${Date.now()}`;
  const roundUrl = await plannedRound(bringer, facilitator, title);

  // A member who is not taking part cannot see the case.
  const outsider = await signedIn(browser, OUTSIDER);
  const refused = await outsider.goto(roundUrl);
  expect(refused?.status()).toBe(404);
  await expect(outsider.getByRole("heading", { level: 1 })).toHaveText("Pagina niet gevonden");
  await expect(outsider.getByText(title)).toHaveCount(0);

  const lead = await signedIn(browser, LEAD);
  const timekeeper = await signedIn(browser, TIMEKEEPER);
  for (const page of [lead, timekeeper, bringer]) await openRound(page, roundUrl);
  await expect(bringer.getByText(title)).toBeVisible();
  // Screens that must never reload keep this mark.
  for (const page of [timekeeper, bringer]) await page.evaluate(() => ((window as any).kringNoReload = true));

  await lead.getByRole("button", { name: "Ronde starten" }).click();
  for (const page of [lead, timekeeper, bringer]) {
    await expect(page.getByTestId("phase-title")).toHaveText("Terugblik");
    await expect(page.getByTestId("round-status")).toHaveText("Loopt");
  }
  // One countdown: every screen shows the same time left, and it runs.
  const clocks = await Promise.all([timekeeper, bringer].map((p) => p.getByTestId("countdown").textContent()));
  expect(Math.abs(seconds(clocks[0]!) - seconds(clocks[1]!))).toBeLessThanOrEqual(2);
  expect(seconds(clocks[0]!)).toBeGreaterThan(4 * 60);
  await expect
    .poll(async () => seconds((await timekeeper.getByTestId("countdown").textContent())!), { timeout: 5_000 })
    .toBeLessThan(seconds(clocks[0]!));

  // Moving on with time left asks first.
  await lead.locator("summary", { hasText: "Volgende fase" }).click();
  await expect(lead.getByText("Deze fase heeft nog tijd. Toch verder?")).toBeVisible();
  for (const next of ["Incident kiezen", "Situatie schetsen", "Informatievragen", "Analyse", "Standpunt schrijven"]) {
    if (!(await lead.getByText("Deze fase heeft nog tijd. Toch verder?").isVisible())) {
      await lead.locator("summary", { hasText: "Volgende fase" }).click();
    }
    await lead.getByRole("button", { name: "Ja, naar de volgende fase" }).click();
    await expect(lead.getByTestId("phase-title")).toHaveText(next);
    await expect(bringer.getByTestId("phase-title")).toHaveText(next);
  }

  // A written position stays hidden from the others until the lead reveals it.
  const position = "Begin met een vaste, korte schrijfopdracht op het bord.";
  await timekeeper.getByLabel("Jouw bijdrage").fill(position);
  await timekeeper.getByRole("button", { name: "Toevoegen" }).click();
  // The writer's own screen shows the contribution without a reload.
  await expect(timekeeper.getByText(position)).toBeVisible();
  await expect(timekeeper.getByLabel("Jouw bijdrage")).toHaveValue("");
  await expect(timekeeper.locator("[data-testid=round][data-live=true]")).toHaveCount(1);
  await timekeeper.evaluate(() => ((window as any).kringNoReload = true));
  await expect(bringer.getByTestId("hidden-count")).toContainText("1 bijdragen verborgen");
  await expect(bringer.getByText(position)).toHaveCount(0);
  await lead.getByRole("button", { name: "Alles onthullen" }).click();
  await expect(bringer.getByText(position)).toBeVisible();
  await expect(lead.getByText(position)).toBeVisible();

  // A participant whose connection drops catches up when it returns.
  await bringer.goto("/");
  await lead.locator("summary", { hasText: "Volgende fase" }).click();
  await lead.getByRole("button", { name: "Ja, naar de volgende fase" }).click();
  await expect(lead.getByTestId("phase-title")).toHaveText("Standpunten delen");
  await openRound(bringer, roundUrl);
  await expect(bringer.getByTestId("phase-title")).toHaveText("Standpunten delen");
  await bringer.evaluate(() => ((window as any).kringNoReload = true));

  // Pausing stops every clock.
  await lead.getByRole("button", { name: "Pauzeren" }).click();
  await expect(timekeeper.getByTestId("round-status")).toHaveText("Gepauzeerd");
  const paused = await timekeeper.getByTestId("countdown").textContent();
  await timekeeper.waitForTimeout(1_500);
  expect(await timekeeper.getByTestId("countdown").textContent()).toBe(paused);

  // None of this reloaded the participants' pages.
  for (const page of [timekeeper, bringer]) {
    expect(await page.evaluate(() => (window as any).kringNoReload)).toBe(true);
  }

  // The lead ends the round; the closing appears on every screen.
  await lead.locator("summary", { hasText: "Ronde afsluiten" }).click();
  await lead.locator("button[data-command=end]").click();
  for (const page of [lead, timekeeper, bringer]) {
    await expect(page.getByTestId("round-status")).toHaveText("Afgerond");
    await expect(page.getByTestId("evaluation")).toBeVisible();
  }
  await expect(bringer.getByTestId("actions").getByLabel("Actie", { exact: true })).toBeVisible();
  await expect(lead.getByTestId("actions").getByLabel("Actie", { exact: true })).toHaveCount(0);

  // The case bringer chooses an action; the date Kring proposes is two weeks ahead.
  const action = "De eerste vijf minuten na de gym: vaste schrijfopdracht op het bord.";
  await bringer.getByLabel("Actie", { exact: true }).fill(action);
  expect(await bringer.getByLabel("Terugkijken op (datum)").inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await bringer.getByRole("button", { name: "Actie toevoegen" }).click();
  await expect(bringer.getByTestId("actions").getByText(action)).toBeVisible();
  await expect(lead.getByTestId("actions").getByText(action)).toBeVisible();

  // Everyone evaluates; nothing of the group shows until all four have answered, so
  // no one's answer can be read from a change.
  await openRound(facilitator, roundUrl);
  const answers: [Page, string, string][] = [[bringer, "5", "4"], [lead, "4", "4"], [timekeeper, "4", "3"], [facilitator, "4", "5"]];
  for (const [index, [page, safe, useful]] of answers.entries()) {
    await expect(page.getByTestId("evaluation-group")).toContainText("antwoorden");
    await page.locator(`#safe-${safe}`).check();
    await page.locator(`#useful-${useful}`).check();
    await page.getByRole("button", { name: "Versturen" }).click();
    if (page === facilitator) break;
    await expect(page.getByTestId("evaluation-thanks")).toBeVisible();
    await expect(page.getByTestId("evaluation-group")).toContainText(`Tot nu toe ${index + 1} antwoorden`);
  }
  const group = "4 antwoorden · veilig ongeveer 4,5 · nuttig ongeveer 4 (van 5)";
  for (const page of [facilitator, timekeeper, bringer]) await expect(page.getByTestId("evaluation-group")).toHaveText(group);
  await expect(bringer.getByRole("button", { name: "Versturen" })).toHaveCount(0);

  // The summary goes to the knowledge base only with consent.
  const summaryTitle = `Rustig beginnen na de gym ${Date.now()}`;
  await bringer.getByLabel("Titel", { exact: true }).fill(summaryTitle);
  await bringer.getByLabel("Samenvatting", { exact: true }).fill("Wat hielp: een vaste opening, elke les dezelfde.");
  await bringer.getByRole("button", { name: "Publiceren" }).click();
  await expect(bringer.getByText("Publiceren kan alleen met jouw toestemming")).toBeVisible();
  await expect(bringer.getByLabel("Samenvatting", { exact: true })).toHaveValue("Wat hielp: een vaste opening, elke les dezelfde.");
  await bringer.getByLabel("Ik geef toestemming", { exact: false }).check();
  await bringer.getByRole("button", { name: "Publiceren" }).click();
  await expect(lead.getByTestId("summary-link")).toContainText(summaryTitle);
  await bringer.getByTestId("summary-link").getByRole("link").click();
  await expect(bringer.getByRole("heading", { level: 1 })).toHaveText(summaryTitle);

  // Later the case bringer tells the community how the action went.
  await bringer.goto("/");
  await bringer.getByRole("link", { name: COMMUNITY }).click();
  const followUp = bringer.getByTestId("follow-ups").getByTestId("action").filter({ hasText: action });
  await followUp.getByLabel("Gedaan", { exact: true }).check();
  await followUp.getByLabel("Wat gebeurde er (mag leeg)").fill("Werkt: binnen twee minuten is het stil.");
  await followUp.getByRole("button", { name: "Opslaan" }).click();
  const reported = bringer.getByTestId("follow-ups").getByTestId("action").filter({ hasText: action });
  await expect(reported.getByTestId("outcome")).toHaveText("Gedaan");
  await expect(reported.locator("p", { hasText: "Werkt: binnen twee minuten is het stil." })).toBeVisible();
});
