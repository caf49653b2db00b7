import { type Browser, type Page } from "@playwright/test";
import { expect, hydrated, login, mailTo, test } from "./helpers";

/** A young demo community whose facilitator no other browser test signs in as. */
const COMMUNITY = "Formatief handelen in de praktijkvakken";
const FACILITATOR = "s.degroot@esdal.test";
/** Asked to join it in the demo data. */
const NEWCOMER = "e.zijlstra@esdal.test";
const READING = "Begrijpend lezen in de onderbouw";

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, email);
  await hydrated(page);
  return page;
}

/** Date and time in Amsterdam (the board's time zone), `minutes` from now, as form values. */
function amsterdam(minutes: number): { date: string; time: string } {
  const at = new Date(Date.now() + minutes * 60_000);
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Amsterdam",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { date: `${part("year")}-${part("month")}-${part("day")}`, time: `${part("hour")}:${part("minute")}` };
}

test("a facilitator plans a meeting, a newcomer is told, checks in and moves from peripheral", async ({ browser }) => {
  const startedAt = Date.now();
  const facilitator = await signedIn(browser, FACILITATOR);
  await facilitator.getByRole("link", { name: COMMUNITY }).click();
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText(COMMUNITY);
  await hydrated(facilitator);
  // Esther asked to join: she becomes a member and starts at the edge.
  const pending = facilitator.getByTestId("pending");
  await pending.locator("li", { hasText: "Esther Zijlstra" }).getByRole("button", { name: "Accepteren" }).click();
  await expect(facilitator.getByRole("cell", { name: "Esther Zijlstra" })).toBeVisible();
  await facilitator.getByRole("link", { name: "Bijeenkomst plannen" }).click();
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText("Bijeenkomst plannen");
  await hydrated(facilitator);

  // A time that has passed is refused, with the reason at the field.
  const past = amsterdam(-120);
  await facilitator.getByLabel("Datum").fill(past.date);
  await facilitator.getByLabel("Begintijd").fill(past.time);
  await facilitator.getByLabel("Plaats", { exact: true }).fill("Lokaal B12");
  await facilitator.getByRole("button", { name: "Bijeenkomst plannen" }).click();
  await expect(facilitator.getByText("Dit tijdstip is al voorbij.")).toBeVisible();

  const soon = amsterdam(10);
  const title = `Casus van de week ${Date.now()}`;
  await facilitator.getByLabel("Titel (niet verplicht)").fill(title);
  await facilitator.getByLabel("Datum").fill(soon.date);
  await facilitator.getByLabel("Begintijd").fill(soon.time);
  await facilitator.getByLabel("Agenda").fill("Opening\nCasus: lezen bij aardrijkskunde\nAfspraken");
  await facilitator.getByRole("button", { name: "Bijeenkomst plannen" }).click();
  await expect(facilitator.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(facilitator.getByTestId("meeting-when")).toContainText(soon.time);
  await expect(facilitator.getByRole("listitem").filter({ hasText: "Casus: lezen bij aardrijkskunde" })).toBeVisible();
  const meetingUrl = new URL(facilitator.url()).pathname;

  // The .ics file is a calendar event at that time.
  const ics = await facilitator.request.get(`${meetingUrl}/ics`);
  expect(ics.headers()["content-type"]).toBe("text/calendar; charset=utf-8");
  expect(await ics.text()).toContain("BEGIN:VEVENT");

  // The newcomer is told in the app and by email.
  const mail = await mailTo(NEWCOMER, startedAt);
  expect(mail).toContain(`Subject: Nieuwe bijeenkomst: ${COMMUNITY}`);
  const newcomer = await signedIn(browser, NEWCOMER);
  await expect(newcomer.getByRole("link", { name: /Meldingen\s*\d+\s*nieuw/ })).toBeVisible();
  await newcomer.getByRole("link", { name: /Meldingen/ }).click();
  await expect(newcomer.getByRole("heading", { level: 1 })).toHaveText("Meldingen");
  await hydrated(newcomer);
  await expect(newcomer.getByRole("link", { name: /Meldingen\s*\d+\s*nieuw/ })).toHaveCount(0);
  await expect(newcomer.getByRole("link", { name: "Je aanvraag is aangenomen" })).toBeVisible();
  await newcomer.getByRole("link", { name: "Nieuwe bijeenkomst" }).first().click();
  await expect(newcomer.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(newcomer);

  await newcomer.getByRole("button", { name: "Ik ben er (inchecken)" }).click();
  await expect(newcomer.getByText("Je bent ingecheckt.")).toBeVisible();
  await newcomer.getByRole("link", { name: COMMUNITY }).click();
  await expect(newcomer.getByText("Jouw deelname: incidenteel.")).toBeVisible();
  await newcomer.getByRole("link", { name: "Waarom dit niveau?" }).click();
  await expect(newcomer.getByTestId("level-summary")).toContainText("incidenteel");
  await expect(newcomer.getByRole("cell", { name: "was bij een bijeenkomst" }).first()).toBeVisible();

  // The facilitator sees the check-in; the meeting is on the community page.
  await facilitator.reload();
  await expect(facilitator.getByRole("row", { name: /Esther Zijlstra/ })).toContainText("aanwezig");
  await facilitator.goto("/");
  await facilitator.getByRole("link", { name: COMMUNITY }).click();
  await expect(facilitator.locator("section", { hasText: "Bijeenkomsten" }).getByText(title)).toBeVisible();
});

test("email per kind can be turned off and a private calendar address made", async ({ browser }) => {
  const member = await signedIn(browser, "m.vermeulen@esdal.test");
  await member.goto("/notifications");
  await hydrated(member);
  const reminder = member.getByLabel("Herinnering: bijeenkomst morgen");
  await expect(reminder).toBeChecked();
  await reminder.uncheck();
  await member.getByRole("button", { name: "Opslaan" }).click();
  await expect(member.getByText("Je keuze is opgeslagen.")).toBeVisible();
  await member.reload();
  await expect(member.getByLabel("Herinnering: bijeenkomst morgen")).not.toBeChecked();

  await hydrated(member);
  await member.getByRole("button", { name: "Privé-adres maken" }).click();
  const address = member.getByTestId("feed-url");
  await expect(address).toHaveValue(/\/calendar\/.+\.ics$/);
  const feed = await member.request.get(new URL(await address.inputValue()).pathname);
  expect(feed.status()).toBe(200);
  expect((await feed.text()).replace(/\r\n /g, "")).toContain(READING);
  await member.getByRole("button", { name: "Abonnement stoppen" }).click();
  await expect(member.getByRole("button", { name: "Privé-adres maken" })).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("meeting pages read well", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mailadres").fill("m.vermeulen@esdal.test");
    await page.getByLabel("Wachtwoord", { exact: true }).fill("kring-demo-2026");
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByRole("link", { name: READING }).click();
    const meetings = page.locator("section", { has: page.getByRole("heading", { name: "Bijeenkomsten" }) });
    await meetings.getByRole("listitem").first().getByRole("link").click();
    await expect(page.getByRole("heading", { name: "Agenda" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Zet in je agenda (.ics)" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Aanwezigheid" })).toBeVisible();
  });
});
