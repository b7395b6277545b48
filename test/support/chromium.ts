import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (TWINBED_CHROMIUM overrides), headless, WebGL on SwiftShader: what every browser test and bench drives. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.TWINBED_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
