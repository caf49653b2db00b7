import { type Browser, type Page } from "@playwright/test";
import { expect, hydrated, linkIn, login, mailTo, TEACHER, test } from "./helpers";

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, email);
  await hydrated(page);
  return page;
}

test("a teacher starts a community, colleagues join by invitation and by request, and levels move", async ({ browser }) => {
  const founder = await signedIn(browser, "p.dekker@esdal.test");
  await founder.getByRole("link", { name: "Start een leergemeenschap" }).click();
  await expect(founder.getByRole("heading", { level: 1 })).toHaveText("Start een leergemeenschap");
  await hydrated(founder);
  // The working agreements start from a sensible default the group adapts.
  await expect(founder.getByLabel("Werkafspraken")).toHaveValue(/Wat hier gezegd wordt, blijft hier/);
  await founder.getByRole("button", { name: "Leergemeenschap starten" }).click();
  await expect(founder.getByText("Vul dit veld in.").first()).toBeVisible();

  const name = `Feedback in de bovenbouw ${Date.now()}`;
  await founder.getByLabel("Naam", { exact: true }).fill(name);
  await founder.getByLabel("Gedeelde vraag en doel").fill("Leerlingen gebruiken feedback nauwelijks. Hoe verandert dat?");
  await founder.getByLabel("Ritme van bijeenkomsten").fill("Om de week op dinsdag");
  await founder.getByRole("button", { name: "Leergemeenschap starten" }).click();
  await expect(founder.getByRole("heading", { level: 1 })).toHaveText(name);
  await hydrated(founder);
  const communityUrl = new URL(founder.url()).pathname;
  await expect(founder.getByText("Jullie zijn met 1.")).toBeVisible();

  // Invite one colleague by email.
  const facilitation = founder.locator("section", { has: founder.getByRole("heading", { name: "Procesbegeleiding" }) });
  await facilitation.getByLabel("E-mailadres van de collega").fill("iemand@elders.test");
  await facilitation.getByRole("button", { name: "Uitnodigen", exact: true }).click();
  await expect(facilitation.getByText("Er is geen collega met dit e-mailadres in jouw organisatie.")).toBeVisible();
  await facilitation.getByLabel("E-mailadres van de collega").fill("l.prins@esdal.test");
  await facilitation.getByRole("button", { name: "Uitnodigen", exact: true }).click();
  await expect(facilitation.getByTestId("pending")).toContainText("Lisa Prins");

  // The invited colleague accepts from the home page and starts at the edge.
  const invitee = await signedIn(browser, "l.prins@esdal.test");
  await expect(invitee.getByText(`Je bent uitgenodigd voor ${name}.`)).toBeVisible();
  await invitee.getByRole("button", { name: "Accepteren" }).click();
  await expect(invitee.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(invitee.getByText("Jouw deelname: perifeer.")).toBeVisible();
  await expect(invitee.getByRole("heading", { name: "Jouw eerste stappen" })).toBeVisible();

  // A second colleague finds it in the directory and asks to join.
  const requester = await signedIn(browser, "r.meijer@esdal.test");
  await requester.goto("/communities");
  await hydrated(requester);
  const card = requester.locator("li", { has: requester.getByRole("heading", { name }) });
  await card.getByRole("button", { name: "Vragen om aan te sluiten" }).click();
  await expect(card.getByText("Aanvraag verstuurd")).toBeVisible();

  await founder.reload();
  await hydrated(founder);
  const pending = founder.getByTestId("pending");
  await expect(pending).toContainText("Ruben Meijer");
  await pending.locator("li", { hasText: "Ruben Meijer" }).getByRole("button", { name: "Accepteren" }).click();
  await expect(founder.getByRole("cell", { name: "Ruben Meijer" })).toBeVisible();

  // A guest from the teacher-training institute joins by an emailed link and sees
  // this community only.
  const guestEmail = `gast.${Date.now()}@pabo.test`;
  await facilitation.getByLabel("E-mailadres van de gast").fill(guestEmail);
  await facilitation.getByRole("button", { name: "Gast uitnodigen" }).click();
  await expect(facilitation.getByTestId("guest-invitations")).toContainText(guestEmail);
  const guest = await (await browser.newContext()).newPage();
  await guest.goto(linkIn(await mailTo(guestEmail), "/invite/"));
  await hydrated(guest);
  await expect(guest.getByText(`Je bent uitgenodigd als gast in de leergemeenschap "${name}"`)).toBeVisible();
  await guest.getByLabel("Je naam").fill("Gijs Gast");
  await guest.getByLabel("Wachtwoord", { exact: true }).fill("een gast in de kring");
  await guest.getByLabel("Herhaal het wachtwoord").fill("een gast in de kring");
  await guest.getByRole("button", { name: "Account aanmaken" }).click();
  await expect(guest.getByRole("heading", { level: 1 })).toHaveText("Welkom, Gijs Gast");
  await expect(guest.getByRole("navigation", { name: "Hoofdmenu" }).getByRole("link", { name: "Leergemeenschappen", exact: true })).toHaveCount(0);
  await guest.getByRole("link", { name }).click();
  await expect(guest.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(guest.getByRole("row", { name: /Gijs Gast/ }).getByRole("cell", { name: "Gast", exact: true })).toBeVisible();
  expect((await guest.goto("/communities"))?.status()).toBe(404);

  // The facilitator records coordination: Ruben's level moves from peripheral.
  await founder.getByText("Procesbegeleiding: Ruben Meijer").click();
  const row = founder.getByRole("row", { name: /Ruben Meijer/ });
  await row.getByLabel("Wat coördineert deze persoon?").fill("Plant de bijeenkomsten");
  await row.getByRole("button", { name: "Vastleggen" }).click();
  await expect(row.getByText("incidenteel")).toBeVisible();

  await requester.goto(communityUrl);
  await expect(requester.getByText("Jouw deelname: incidenteel.")).toBeVisible();
  await requester.goto(`${communityUrl}/level`);
  await expect(requester.getByTestId("level-summary")).toContainText("6 punten");
  await expect(requester.getByRole("cell", { name: /Plant de bijeenkomsten/ })).toBeVisible();
  await expect(requester.getByRole("img", { name: /Je niveau door de tijd/ })).toBeVisible();

  // Success criteria are the members' own, with history.
  await invitee.reload();
  await hydrated(invitee);
  await invitee.getByText("Nieuwe versie opslaan").first().click();
  await invitee.getByLabel("Succescriteria", { exact: true }).fill("Elke leerling gebruikt feedback in de volgende opdracht.");
  await invitee.getByRole("button", { name: "Nieuwe versie opslaan" }).click();
  await expect(invitee.getByTestId("criteria")).toHaveText("Elke leerling gebruikt feedback in de volgende opdracht.");

  // A school leader who is not a member finds nothing there.
  const leader = await signedIn(browser, "m.veenstra@esdal.test");
  const response = await leader.goto(communityUrl);
  expect(response?.status()).toBe(404);
  await expect(leader.getByRole("heading", { level: 1 })).toHaveText("Pagina niet gevonden");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the community page reads well and forms still work", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mailadres").fill(TEACHER);
    await page.getByLabel("Wachtwoord", { exact: true }).fill("kring-demo-2026");
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByRole("link", { name: "Begrijpend lezen in de onderbouw" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Begrijpend lezen in de onderbouw");
    // The circles are drawn on the server and described in text.
    await expect(page.getByRole("img", { name: /Kern in het midden/ })).toBeVisible();
    await expect(page.locator(".circles__legend")).toContainText("Mila Vermeulen");

    await page.getByText("Nieuwe versie opslaan").first().click();
    await page.getByLabel("Succescriteria", { exact: true }).fill("");
    await page.getByRole("button", { name: "Nieuwe versie opslaan" }).click();
    await expect(page.getByRole("alert")).toContainText("Niet alles is goed ingevuld");
    // The form is open again after the failed save, with the message at the field.
    await expect(page.getByText("Vul dit veld in.")).toBeVisible();
    await page.getByLabel("Succescriteria", { exact: true }).fill("We lezen elke week samen één vaktekst.");
    await page.getByRole("button", { name: "Nieuwe versie opslaan" }).click();
    await expect(page.getByTestId("criteria")).toHaveText("We lezen elke week samen één vaktekst.");
  });
});
