import { Browser, chromium } from 'playwright-core';
import { chromiumPath } from './required-tools';

/**
 * The system's Chromium, headless, with what a test does not need turned off: no sandbox (containers often cannot
 * give it one), no GPU, and none of the background traffic to Google's services.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
