import { Browser, chromium, Page } from 'playwright-core';
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

/** On the sandbox broker's login page, the person picks `clientId` and approves; resolves once the vault's page is up. */
export async function approveAtSandbox(page: Page, clientId: string): Promise<void> {
  await page.check(`input[value="${clientId}"]`);
  await page.click('#approve');
  await page.waitForSelector('#account');
}
