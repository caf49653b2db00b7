import { ADMIN, expect, hydrated, linkIn, login, mailTo, TEACHER, test } from "./helpers";

test("an admin invites a colleague, who signs up, logs out and logs in again", async ({ browser }) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await login(admin, ADMIN);
  await admin.getByRole("link", { name: "Medewerkers" }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Medewerkers" })).toBeVisible();
  await hydrated(admin);

  const email = `nieuw.${Date.now()}@esdal.test`;
  const invite = admin.locator("section", { has: admin.getByRole("heading", { name: "Uitnodigen per e-mail" }) });
  await invite.getByLabel("E-mailadres").fill(email);
  await invite.getByLabel("School").selectOption({ label: "Esdal Vakcollege" });
  await invite.getByRole("button", { name: "Uitnodiging versturen" }).click();
  await expect(invite.getByRole("status")).toContainText("De uitnodiging is verstuurd.");
  await expect(admin.getByRole("cell", { name: email })).toBeVisible();

  const invitation = linkIn(await mailTo(email), "/invite/");
  const colleagueContext = await browser.newContext();
  const colleague = await colleagueContext.newPage();
  await colleague.goto(invitation);
  await hydrated(colleague);
  await expect(colleague.getByText("Je bent uitgenodigd voor Esdal Vakcollege als Leraar")).toBeVisible();
  await colleague.getByLabel("Je naam").fill("Nieuwe Collega");
  await colleague.getByLabel("Wachtwoord", { exact: true }).fill("kort");
  await colleague.getByLabel("Herhaal het wachtwoord").fill("kort");
  await colleague.getByRole("button", { name: "Account aanmaken" }).click();
  await expect(colleague.getByText("Kies een wachtwoord van minstens 10 tekens.")).toBeVisible();
  await expect(colleague.getByLabel("Wachtwoord", { exact: true })).toHaveAttribute("aria-invalid", "true");

  const password = "een kring van collega's";
  await colleague.getByLabel("Wachtwoord", { exact: true }).fill(password);
  await colleague.getByLabel("Herhaal het wachtwoord").fill(password);
  await colleague.getByRole("button", { name: "Account aanmaken" }).click();
  await expect(colleague.getByRole("heading", { level: 1 })).toHaveText("Welkom, Nieuwe Collega");
  await expect(colleague.getByText("Je bent nog geen lid van een leergemeenschap")).toBeVisible();

  await colleague.getByRole("button", { name: "Uitloggen" }).click();
  await expect(colleague.getByRole("heading", { level: 1 })).toHaveText("Inloggen");
  await colleague.goto("/");
  await expect(colleague).toHaveURL(/\/login\?next=\//);

  await login(colleague, email, password);
  await expect(colleague.getByRole("heading", { level: 1 })).toHaveText("Welkom, Nieuwe Collega");

  // The invitation is used up.
  const again = await (await browser.newContext()).newPage();
  await again.goto(invitation);
  await expect(again.getByText("Deze uitnodiging is ongeldig, verlopen of al gebruikt.")).toBeVisible();
});

test("a colleague signs up through a shared link by proving their address", async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await login(admin, ADMIN);
  await admin.getByRole("link", { name: "Medewerkers" }).click();
  await hydrated(admin);
  const section = admin.locator("section", { has: admin.getByRole("heading", { name: "Uitnodigingslink" }) });
  await section.getByLabel("Hoeveel mensen mogen zich met deze link aanmelden?").fill("5");
  await section.getByRole("button", { name: "Link maken" }).click();
  const shared = (await admin.getByTestId("invitation-link").textContent()) ?? "";
  expect(shared).toContain("/invite/");

  // The link asks only for an address, and answers the same for any address.
  const email = `via.link.${Date.now()}@esdal.test`;
  const colleague = await (await browser.newContext()).newPage();
  await colleague.goto(shared);
  await hydrated(colleague);
  await expect(colleague.getByText("Vul je e-mailadres in; daar krijg je een link")).toBeVisible();
  await expect(colleague.getByLabel("Wachtwoord", { exact: true })).toHaveCount(0);
  await colleague.getByLabel("E-mailadres").fill(email);
  await colleague.getByRole("button", { name: "Stuur me de link" }).click();
  await expect(colleague.getByText("Kijk in je mailbox")).toBeVisible();

  await colleague.goto(linkIn(await mailTo(email), "/invite/"));
  await hydrated(colleague);
  await expect(colleague.getByText(email)).toBeVisible();
  await colleague.getByLabel("Je naam").fill("Link Collega");
  const password = "via de gedeelde link";
  await colleague.getByLabel("Wachtwoord", { exact: true }).fill(password);
  await colleague.getByLabel("Herhaal het wachtwoord").fill(password);
  await colleague.getByRole("button", { name: "Account aanmaken" }).click();
  await expect(colleague.getByRole("heading", { level: 1 })).toHaveText("Welkom, Link Collega");
});

test("a forgotten password is reset through the emailed link", async ({ page }) => {
  const email = "s.mulder@esdal.test";
  const before = Date.now();
  await page.goto("/password/forgot");
  await hydrated(page);
  await page.getByLabel("E-mailadres").fill(email);
  await page.getByRole("button", { name: "Stuur de link" }).click();
  await expect(page.getByText("Als er een account bij dit adres hoort")).toBeVisible();

  const link = linkIn(await mailTo(email, before - 1000), "/password/reset/");
  await page.goto(link);
  await hydrated(page);
  const password = "mijn nieuwe wachtwoord";
  await page.getByLabel("Nieuw wachtwoord", { exact: true }).fill(password);
  await page.getByLabel("Herhaal het nieuwe wachtwoord").fill(password);
  await page.getByRole("button", { name: "Wachtwoord opslaan" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welkom, Sanne Mulder");

  // The link works once.
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("Nieuw wachtwoord", { exact: true }).fill("nog een ander wachtwoord");
  await page.getByLabel("Herhaal het nieuwe wachtwoord").fill("nog een ander wachtwoord");
  await page.getByRole("button", { name: "Wachtwoord opslaan" }).click();
  await expect(page.getByRole("alert")).toContainText("Deze link is ongeldig, verlopen of al gebruikt.");
});

test("the language switch changes the interface and is remembered", async ({ page }) => {
  await login(page, TEACHER);
  await hydrated(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welcome, Anouk de Bruin");
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welcome, Anouk de Bruin");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.getByRole("button", { name: "Nederlands" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welkom, Anouk de Bruin");
});

test("a person's own language wins over the browser's after logging in", async ({ browser }) => {
  const page = await (await browser.newContext({ locale: "en-US" })).newPage();
  await page.goto("/login");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Log in");
  await page.getByLabel("Email address").fill("e.visser@esdal.test");
  await page.getByLabel("Password", { exact: true }).fill("kring-demo-2026");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Welkom, Eva Visser");
});
