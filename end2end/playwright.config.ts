import { defineConfig } from "@playwright/test";

// Debian's Chromium; Playwright's own browser downloads are not reachable here.
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.KRING_E2E_BASE_URL ?? "http://127.0.0.1:3000",
    // Teachers' browsers ask for Dutch; the English interface is tested explicitly.
    locale: "nl-NL",
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: chromiumArgs,
    },
    trace: "off",
  },
});
