/** The routes a person's browser visits: they answer pages, never JSON, whatever goes wrong. */
export function isBrowserRoute(url: string): boolean {
  return url === '/' || url.startsWith('/?') || url.startsWith('/pocketful/');
}
