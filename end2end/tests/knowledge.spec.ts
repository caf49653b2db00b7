import { type Browser, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { DEMO_PASSWORD, expect, hydrated, login, test } from "./helpers";

/** Members of "Begrijpend lezen in de onderbouw" no other browser test signs in as. */
const AUTHOR = "t.kuipers@esdal.test";
const READER = "n.hendriks@esdal.test";
/** A colleague of the same board, not in that community. */
const OUTSIDER = "d.smit@esdal.test";
const READING = "Begrijpend lezen in de onderbouw";

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await login(page, email);
  await hydrated(page);
  return page;
}

test("write an artifact with a file, edit it, compare versions, flag and resolve it, find it and record a reuse", async ({
  browser,
}) => {
  const stamp = Date.now();
  const title = `Kliksleutels bij bronnen ${stamp}`;
  const author = await signedIn(browser, AUTHOR);
  await author.getByRole("link", { name: READING }).click();
  await expect(author.getByRole("heading", { level: 1 })).toHaveText(READING);
  await hydrated(author);
  await author.getByRole("link", { name: "Nieuw product" }).click();
  await expect(author.getByRole("heading", { level: 1 })).toHaveText("Nieuw product");
  await hydrated(author);

  // Nothing filled in: the reasons appear at the fields.
  await author.getByRole("button", { name: "Delen" }).click();
  await expect(author.getByText("Vul dit veld in.")).toBeVisible();

  await author.getByLabel("Titel", { exact: true }).fill(title);
  await author.getByLabel("Soort").selectOption("how_to");
  await author.getByLabel("Inhoud").fill("## Werkwijze\nLeerlingen zetten een **kliksleutel** bij elke bron.\nDaarna vergelijken ze in tweetallen.");
  // The preview follows the text, rendered as the page will show it.
  await expect(author.getByTestId("preview").locator("strong")).toHaveText("kliksleutel");
  await author.getByLabel("Trefwoorden").fill("bronnen, geschiedenis");
  await author.getByRole("button", { name: "Delen" }).click();
  await expect(author.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(author);

  // A file that is not what its name says is refused; a PDF is attached.
  await author.getByLabel("Bestand toevoegen").setInputFiles({
    name: "bronnen.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("dit is geen pdf"),
  });
  await author.getByRole("button", { name: "Toevoegen", exact: true }).click();
  await expect(author.getByText("Dit soort bestand kan niet worden toegevoegd")).toBeVisible();
  await author.getByLabel("Bestand toevoegen").setInputFiles({
    name: "bronnen.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"),
  });
  await author.getByRole("button", { name: "Toevoegen", exact: true }).click();
  await expect(author.getByText("Het bestand is toegevoegd.")).toBeVisible();
  const download = author.waitForEvent("download");
  await author.getByRole("link", { name: "bronnen.pdf" }).click();
  expect((await download).suggestedFilename()).toBe("bronnen.pdf");
  await hydrated(author);

  // Edit: a second version, and the difference between the two.
  await author.getByRole("link", { name: "Bewerken" }).click();
  await expect(author.getByRole("heading", { level: 1 })).toHaveText("Bewerken");
  await hydrated(author);
  await author.getByLabel("Inhoud").fill("## Werkwijze\nLeerlingen zetten een **kliksleutel** bij elke bron.\nDaarna bespreken ze de bronnen klassikaal.");
  await author.getByRole("button", { name: "Opslaan als nieuwe versie" }).click();
  await expect(author.getByRole("heading", { level: 1 })).toHaveText(title);
  await author.getByRole("link", { name: "Versies" }).click();
  await expect(author.getByRole("heading", { level: 1 })).toHaveText("Versies");
  const diff = author.getByTestId("diff");
  await expect(diff.locator(".diff__line--removed")).toContainText("Daarna vergelijken ze in tweetallen.");
  await expect(diff.locator(".diff__line--added")).toContainText("Daarna bespreken ze de bronnen klassikaal.");

  // Another member finds it by search, flags it outdated and records a reuse.
  const reader = await signedIn(browser, READER);
  await reader.getByRole("link", { name: "Kennisbank", exact: true }).click();
  await expect(reader.getByRole("heading", { level: 1 })).toHaveText("Kennisbank");
  await hydrated(reader);
  await reader.getByLabel("Zoeken", { exact: true }).fill("kliksleutel");
  await reader.getByRole("button", { name: "Zoeken", exact: true }).click();
  await expect(reader).toHaveURL(/q=kliksleutel/);
  const hit = reader.getByRole("listitem").filter({ has: reader.getByRole("link", { name: title }) });
  await expect(hit.locator("mark").first()).toHaveText(/kliksleutel/i);
  await hit.getByRole("link", { name: title }).click();
  await expect(reader.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(reader);
  await reader.getByText("Ik heb dit gebruikt in mijn les").click();
  await reader.getByLabel("Hoe ging het?").fill("In klas 2 gebruikt; de kliksleutels maakten het gesprek concreet.");
  await reader.getByRole("button", { name: "Vastleggen" }).click();
  await expect(reader.getByText("1 keer gebruikt in de klas")).toBeVisible();
  await reader.getByText("Markeren als verouderd").click();
  await reader.getByLabel("Wat klopt er niet meer?").fill("De bronnenset is vervangen.");
  await reader.getByRole("button", { name: "Markeren", exact: true }).click();
  await expect(reader.getByTestId("standing")).toContainText("De bronnenset is vervangen.");

  // The owner is told, and settles it.
  await author.goto("/notifications");
  await expect(author.getByRole("link", { name: "Product gemarkeerd als verouderd" }).first()).toBeVisible();
  await author.getByRole("link", { name: "Product gemarkeerd als verouderd" }).first().click();
  await expect(author.getByRole("heading", { level: 1 })).toHaveText(title);
  await hydrated(author);
  await expect(author.getByTestId("standing")).toContainText("mogelijk verouderd");
  await author.getByRole("button", { name: "Klopt nog" }).click();
  await expect(author.getByTestId("standing")).toHaveCount(0);
  await expect(author.getByText("1 keer gebruikt in de klas")).toBeVisible();

  // A colleague outside the community does not find it and cannot open it.
  const outsider = await signedIn(browser, OUTSIDER);
  const url = author.url();
  await outsider.goto("/knowledge?q=kliksleutel");
  await expect(outsider.getByRole("heading", { level: 1 })).toHaveText("Kennisbank");
  await expect(outsider.getByRole("link", { name: title })).toHaveCount(0);
  const response = await outsider.goto(url);
  expect(response?.status()).toBe(404);
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("search works as a plain form", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("E-mailadres").fill(READER);
    await page.getByLabel("Wachtwoord", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Inloggen" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welkom");
    await page.goto("/knowledge");
    await page.getByLabel("Zoeken", { exact: true }).fill("verhoudingstabel");
    await page.getByRole("button", { name: "Zoeken", exact: true }).click();
    await expect(page).toHaveURL(/q=verhoudingstabel/);
    await expect(page.getByRole("link", { name: "Eén aanpak voor verhoudingstabellen in alle vakken" })).toBeVisible();
    await expect(page.locator("mark").first()).toBeVisible();
    // Filters are plain form fields too.
    await page.getByText("Filters", { exact: true }).click();
    await page.getByLabel("Zoeken", { exact: true }).fill("");
    await page.getByLabel("Status").selectOption("review_due");
    await page.getByRole("button", { name: "Zoeken", exact: true }).click();
    await expect(page).toHaveURL(/standing=review_due/);
    await expect(page.getByRole("link", { name: "Afspraken leesbevordering sectie Nederlands" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Voorspellend lezen bij zaakvakteksten" })).toHaveCount(0);
  });
});

test("knowledge pages have no WCAG 2.1 A/AA violations", async ({ page }) => {
  await login(page, READER);
  for (const path of ["/knowledge", "/knowledge?q=lezen"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`), path).toEqual([]);
  }
  await page.getByRole("link", { name: "Voorspellend lezen bij zaakvakteksten" }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Voorspellend lezen bij zaakvakteksten");
  for (const suffix of ["", "/history", "/edit"]) {
    if (suffix) await page.goto(page.url().replace(/\/(history|edit)$/, "") + suffix);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`), suffix || "artifact").toEqual([]);
  }
});
