/**
 * Debian's Chromium, headless, driven by playwright-core (no browser download: `.ci/run` installs the
 * `chromium` package). The flags keep it off the network: this machine refuses outside connections.
 */
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Share of a screenshot's pixels that are not (near) white: a drawn page has text, rules, colour. */
export function inkShare(png: Buffer): number {
  const image = PNG.sync.read(png);
  let ink = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i] ?? 255, image.data[i + 1] ?? 255, image.data[i + 2] ?? 255];
    if (r < 235 || g < 235 || b < 235) ink++;
  }
  return ink / (image.width * image.height);
}
