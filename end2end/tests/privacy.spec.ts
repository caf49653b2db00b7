import { type Browser, type Page } from "@playwright/test";
import AdmZip from "adm-zip";
import { ADMIN, DEMO_PASSWORD, expect, hydrated, login, TEACHER, test } from "./helpers";

/** A demo teacher no other browser test signs in as. */
const LEAVING = "y.bos@esdal.test";

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, email);
  return page;
}

test("the privacy page says what Kring keeps, from the footer and the profile", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("contentinfo").getByRole("link", { name: "Privacy" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Privacy in Kring");
  await expect(page.getByRole("heading", { name: "Wie wat ziet" })).toBeVisible();
  await login(page, ADMIN);
  await page.goto("/profile");
  await page.getByRole("link", { name: "Wat Kring over je bewaart en wie het ziet" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Privacy in Kring");
});

test("a shared computer's sign-in is not kept", async ({ page, context }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("E-mailadres").fill(LEAVING);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel("Dit is een gedeelde computer").check();
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welkom");
  const session = (await context.cookies()).find((c) => c.name === "kring_session");
  expect(session?.expires).toBe(-1); // a session cookie: gone when the browser closes
});

test("an admin lets a teacher go: they are signed out and cannot sign in again", async ({ browser }) => {
  const leaving = await signedIn(browser, LEAVING);
  const admin = await signedIn(browser, ADMIN);
  await admin.goto("/admin/staff");
  const row = admin.getByRole("row").filter({ hasText: LEAVING });
  await row.locator("summary", { hasText: "Deactiveren" }).click();
  await row.getByRole("button", { name: "Ja, deactiveren" }).click();
  await expect(admin.getByRole("row").filter({ hasText: LEAVING }).getByText("Gedeactiveerd")).toBeVisible();

  await leaving.goto("/");
  await expect(leaving).toHaveURL(/\/login/);
  await leaving.getByLabel("E-mailadres").fill(LEAVING);
  await leaving.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
  await leaving.getByRole("button", { name: "Inloggen" }).click();
  await expect(leaving.getByRole("alert")).toBeVisible();
  await expect(leaving.getByRole("heading", { level: 1 })).toHaveText("Inloggen");

  // Back again, for other runs on this database.
  await admin.getByRole("row").filter({ hasText: LEAVING }).getByRole("button", { name: "Heractiveren" }).click();
  await expect(admin.getByRole("row").filter({ hasText: LEAVING }).getByText("Gedeactiveerd")).toHaveCount(0);
});

test("a deactivated participant's open round page stops at once and their sign-in is refused", async ({ browser }) => {
  // Runs after the intervision file (one worker, files in order): deactivating ends
  // the timekeeper's memberships, which reactivation does not bring back.
  const community = "Intervisie startende docenten";
  const leavingEmail = "g.hoekstra@esdal.test";
  const bringer = await signedIn(browser, "s.timmer@esdal.test");
  await bringer.getByRole("link", { name: community }).click();
  await bringer.getByText("Casus inbrengen", { exact: true }).first().click();
  const title = `Telefoons in de les ${Date.now()}`;
  await bringer.getByLabel("Titel", { exact: true }).fill(title);
  await bringer.getByLabel("Situatie", { exact: true }).fill("Leerlingen pakken hun telefoon zodra ik iets uitleg.");
  await bringer.getByLabel("Vraag", { exact: true }).fill("Hoe maak ik afspraken die werken?");
  await bringer.getByRole("button", { name: "Casus inbrengen" }).click();
  await expect(bringer.getByText(title)).toBeVisible();

  const facilitator = await signedIn(browser, "h.postma@esdal.test");
  await facilitator.getByRole("link", { name: community }).click();
  await facilitator.getByRole("link", { name: "Ronde plannen" }).click();
  await facilitator.getByLabel("Casus", { exact: true }).selectOption({ label: `${title} (Sophie Timmer)` });
  await facilitator.getByLabel(/Incidentmethode \(10 fasen\)/).check();
  await facilitator.getByLabel("Gespreksleider", { exact: true }).selectOption({ label: "Hanneke Postma" });
  await facilitator.getByLabel("Tijdbewaker", { exact: true }).selectOption({ label: "Gijs Hoekstra" });
  await facilitator.getByLabel("Notulist", { exact: true }).selectOption({ label: "Niemand" });
  await facilitator.getByRole("button", { name: "Ronde plannen" }).click();
  await expect(facilitator.getByTestId("round")).toBeVisible();
  const roundUrl = new URL(facilitator.url()).pathname;

  const leaving = await signedIn(browser, leavingEmail);
  for (const page of [facilitator, leaving]) {
    await page.goto(roundUrl);
    await hydrated(page);
    await expect(page.locator("[data-testid=round][data-live=true]")).toHaveCount(1);
  }
  await facilitator.getByRole("button", { name: "Ronde starten" }).click();
  await expect(leaving.getByTestId("round-status")).toHaveText("Loopt");

  const admin = await signedIn(browser, ADMIN);
  await admin.goto("/admin/staff");
  const row = admin.getByRole("row").filter({ hasText: leavingEmail });
  await row.locator("summary", { hasText: "Deactiveren" }).click();
  await row.getByRole("button", { name: "Ja, deactiveren" }).click();
  await expect(admin.getByRole("row").filter({ hasText: leavingEmail }).getByText("Gedeactiveerd")).toBeVisible();

  // The open round page loses its stream, is refused a new one and leaves the round.
  await expect(leaving).toHaveURL(/\/login/, { timeout: 15_000 });
  await expect(leaving.getByTestId("round")).toHaveCount(0);
  await leaving.getByLabel("E-mailadres").fill(leavingEmail);
  await leaving.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
  await leaving.getByRole("button", { name: "Inloggen" }).click();
  await expect(leaving.getByRole("alert")).toBeVisible();
  await expect(leaving.getByRole("heading", { level: 1 })).toHaveText("Inloggen");

  await admin.getByRole("row").filter({ hasText: leavingEmail }).getByRole("button", { name: "Heractiveren" }).click();
  await expect(admin.getByRole("row").filter({ hasText: leavingEmail }).getByText("Gedeactiveerd")).toHaveCount(0);
});

test("a teacher erases their account after confirming with their password", async ({ page }) => {
  const erasing = "k.wolters@esdal.test";
  await login(page, erasing);
  await page.goto("/privacy");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Je account verwijderen" })).toBeVisible();
  await page.getByLabel("Je wachtwoord, ter bevestiging").fill("niet mijn wachtwoord");
  await page.getByLabel("Ik begrijp dat dit niet ongedaan kan worden gemaakt").check();
  await page.getByRole("button", { name: "Account definitief verwijderen" }).click();
  await expect(page.getByText("wachtwoord klopt niet", { exact: false })).toBeVisible();
  // The tick survives the refused try; only the password is typed again.
  await expect(page.getByLabel("Ik begrijp dat dit niet ongedaan kan worden gemaakt")).toBeChecked();
  await page.getByLabel("Je wachtwoord, ter bevestiging").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Account definitief verwijderen" }).click();
  await expect(page.getByText("Je account is verwijderd.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inloggen");
  await page.getByLabel("E-mailadres").fill(erasing);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Inloggen" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
});

test("a teacher downloads everything Kring keeps about them", async ({ page }) => {
  await login(page, TEACHER);
  await page.goto("/privacy");
  await hydrated(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download mijn gegevens" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("kring-mijn-gegevens.zip");
  const archive = new AdmZip(await download.path());
  const index = archive.readAsText("index.html");
  expect(index).toContain("Anouk de Bruin");
  const artifacts = JSON.parse(archive.readAsText("artifacts.json")) as { title: string }[];
  expect(artifacts.length).toBeGreaterThan(0);
  const escaped = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  for (const artifact of artifacts) expect(index).toContain(escaped(artifact.title));
  expect(JSON.parse(archive.readAsText("profile.json")).email).toBe(TEACHER);
});
