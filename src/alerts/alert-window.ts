/**
 * Accounts whose alert of one kind falls due in the same window: tokens that share an expiry and, for `expiring`,
 * the lead time whose span they are in. At a desk's cut-off that is every account at once, and they go to each
 * channel as one alert. The id is made of the kind and the window only, so every replica names a window the same.
 */
export interface AlertWindow {
  id: string;
  type: 'expiring' | 'expired';
  expiresAt: Date;
  /** The lead time of an `expiring` window, in ms; null for `expired`. */
  leadMs: number | null;
  /** Sorted, each once. */
  accounts: string[];
}

export function windowId(type: AlertWindow['type'], expiresAt: Date, leadMs: number | null): string {
  return type === 'expiring' ? `expiring:${expiresAt.getTime()}:${leadMs}` : `expired:${expiresAt.getTime()}`;
}

/**
 * The id of one alert of a window. The first is the window's own id; an account that joins a window after its alert
 * went out (a token stored within the lead time) goes in a later alert, named after how many accounts the window
 * had announced before it: every replica reads that number from the same set, so they name it the same too.
 */
export function batchId(window: AlertWindow, announcedBefore: number): string {
  return announcedBefore === 0 ? window.id : `${window.id}+${announcedBefore}`;
}
