import { TokenStore } from '../../src/tokens/token.store';

/** Tokens saved at once: enough to be quick, few enough for a loaded machine. */
const SAVED_TOGETHER = 250;

/** The id of the nth of many accounts: ACC00000, ACC00001, … */
export const manyAccountId = (index: number) => `ACC${String(index).padStart(5, '0')}`;

/** Saves a token for each of `count` accounts (manyAccountId), all issued and expiring at the same instants. */
export async function saveManyTokens(store: TokenStore, count: number, { issuedAt, expiresAt }: { issuedAt: Date; expiresAt: Date }): Promise<void> {
  for (let start = 0; start < count; start += SAVED_TOGETHER) {
    const batch = Array.from({ length: Math.min(SAVED_TOGETHER, count - start) }, (_, index) => manyAccountId(start + index));
    await Promise.all(
      batch.map((clientId) =>
        store.save({
          clientId,
          accessToken: `token-${clientId}-0123456789abcdef`,
          tokenType: 'bearer',
          scope: 'orders holdings',
          issuedAt,
          expiresAt,
          source: 'import',
          fingerprint: `fp-${clientId}`,
        }),
      ),
    );
  }
}
