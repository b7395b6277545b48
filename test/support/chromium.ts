import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (TWINBED_CHROMIUM overrides), headless, WebGL on SwiftShader: what every browser test and bench drives. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.TWINBED_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A 1280×720 page on `url` in a fresh browser, with the page's uncaught errors collected into `errors`. */
export async function openPage(url: string, errors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { browser, page };
}
