// Takes www/screenshot.png (the README's picture of the demo): `make screenshot` after `make build`.
import { join } from "node:path";
import { ROOT, launch, serve } from "./helpers.mjs";

const { server, url } = await serve({ root: join(ROOT, "www"), port: 0 });
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 }, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  await page.locator("[data-example]").nth(2).click();
  await page.waitForFunction(() => document.querySelectorAll("#explained .tok").length > 0);
  await page.locator("#review").blur();
  await page.screenshot({ path: join(ROOT, "www/screenshot.png"), fullPage: true });
  console.log("wrote www/screenshot.png");
} finally {
  await browser.close();
  server.close();
}
