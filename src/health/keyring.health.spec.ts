import { HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../test/support/manual-clock';
import { Clock } from '../clock/clock';
import { KeyringSettings } from '../crypto/keyring.config';
import { KEY_BYTES } from '../crypto/token-cipher';
import { StorageKind, StorageSettings } from '../redis/storage.config';
import { MemoryTokenStore } from '../tokens/memory-token.store';
import { TokenStore } from '../tokens/token.store';
import { KeyringHealthIndicator } from './keyring.health';

const HINT = 'configure the missing key ids, or log these accounts in again';

/**
 * The memory store does not encrypt, so its key usage is always empty: this one reports the usage a Redis store
 * would read from its account records, counts the reads, and can stop answering.
 */
class SealedUsageStore extends MemoryTokenStore {
  usage: Record<string, string[]> = {};
  reads = 0;
  answering = true;

  override async keyUsage(): Promise<Record<string, string[]>> {
    this.reads += 1;
    if (!this.answering) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    return structuredClone(this.usage);
  }
}

const settings = (kind: StorageKind) => new StorageSettings({ kind, redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 'test-vault:', redisPassword: null });
const keyring = (...ids: string[]) => new KeyringSettings(ids.map((id) => ({ id, key: randomBytes(KEY_BYTES) })));

describe(KeyringHealthIndicator.name, () => {
  let sut: KeyringHealthIndicator;
  let clock: ManualClock;
  let store: SealedUsageStore;

  async function build(kind: StorageKind, keys: KeyringSettings) {
    clock = new ManualClock('2025-03-14T10:00:00+05:30');
    store = new SealedUsageStore(clock);
    const moduleRef = await Test.createTestingModule({
      providers: [
        KeyringHealthIndicator,
        HealthIndicatorService,
        { provide: TokenStore, useValue: store },
        { provide: KeyringSettings, useValue: keys },
        { provide: StorageSettings, useValue: settings(kind) },
        { provide: Clock, useValue: clock },
      ],
    }).compile();
    sut = moduleRef.get(KeyringHealthIndicator);
  }

  describe('with the memory store', () => {
    it('is up and reports that nothing is encrypted', async () => {
      await build('memory', keyring());
      expect(await sut.check()).toEqual({ keys: { status: 'up', encrypted: false } });
    });

    it('says so even when keys are configured, without reading the store', async () => {
      await build('memory', keyring('k2025'));
      store.answering = false;
      expect(await sut.check()).toEqual({ keys: { status: 'up', encrypted: false } });
      expect(store.reads).toBe(0);
    });
  });

  describe('with the Redis store', () => {
    beforeEach(() => build('redis', keyring('k2025', 'k2024')));

    it('is up, naming the sealing key, every configured key, and how many accounts each key seals', async () => {
      store.usage = { k2025: ['YA0002', 'YA0003'], k2024: ['YA0004'] };
      expect(await sut.check()).toEqual({
        keys: { status: 'up', sealing: 'k2025', configured: ['k2025', 'k2024'], inUse: { k2025: 2, k2024: 1 } },
      });
    });

    it('is up with nothing in use when no token is stored', async () => {
      expect(await sut.check()).toEqual({ keys: { status: 'up', sealing: 'k2025', configured: ['k2025', 'k2024'], inUse: {} } });
    });

    it('stays up when tokens name a key that is not configured, listing their accounts by key id, with a hint', async () => {
      store.usage = { k2025: ['YA0002'], k2023: ['YA0005', 'YA0006'], retired: ['YA0007'] };
      expect(await sut.check()).toEqual({
        keys: {
          status: 'up',
          sealing: 'k2025',
          configured: ['k2025', 'k2024'],
          inUse: { k2025: 1, k2023: 2, retired: 1 },
          unreadable: { k2023: ['YA0005', 'YA0006'], retired: ['YA0007'] },
          hint: HINT,
        },
      });
    });

    it('is down while the store does not answer', async () => {
      store.answering = false;
      expect(await sut.check()).toEqual({ keys: { status: 'down', message: 'unknown while the store does not answer' } });
    });

    it('is reported under the key it is given', async () => {
      expect(await sut.check('encryption')).toHaveProperty('encryption.status', 'up');
    });

    describe('the key usage', () => {
      beforeEach(async () => {
        store.usage = { k2025: ['YA0002'] };
        await sut.check();
        store.usage = { k2025: ['YA0002'], k2023: ['YA0005'] };
      });

      it('is read once, then served from memory for the next 60 s of the vault’s clock', async () => {
        clock.advance(59_999);
        const later = await sut.check();
        expect(store.reads).toBe(1);
        expect(later).toEqual({ keys: { status: 'up', sealing: 'k2025', configured: ['k2025', 'k2024'], inUse: { k2025: 1 } } });
      });

      it('is read again once 60 s have passed, and the fresh usage reported', async () => {
        clock.advance(60_000);
        const later = await sut.check();
        expect(store.reads).toBe(2);
        expect(later).toMatchObject({ keys: { status: 'up', inUse: { k2025: 1, k2023: 1 }, unreadable: { k2023: ['YA0005'] } } });
      });

      it('is served from memory even while the store does not answer, for those 60 s', async () => {
        store.answering = false;
        clock.advance(30_000);
        expect(await sut.check()).toHaveProperty('keys.status', 'up');
        expect(store.reads).toBe(1);
      });

      it('is not replaced by a failed read: once the store answers again it is read at the next check', async () => {
        store.answering = false;
        clock.advance(60_000);
        expect(await sut.check()).toHaveProperty('keys.status', 'down');
        store.answering = true;
        expect(await sut.check()).toMatchObject({ keys: { status: 'up', inUse: { k2025: 1, k2023: 1 } } });
        expect(store.reads).toBe(3);
      });
    });
  });
});
