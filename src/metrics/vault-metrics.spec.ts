import { VaultMetrics } from './vault-metrics';

describe(VaultMetrics.name, () => {
  let sut: VaultMetrics;

  beforeEach(() => {
    sut = new VaultMetrics();
  });

  afterEach(() => sut.onApplicationShutdown());

  it("writes a feature's own text after the registry's", async () => {
    sut.addText(() => '# TYPE token_vault_own gauge\ntoken_vault_own 7\n');
    const text = await sut.scrape();
    expect(text).toMatch(/^# HELP token_vault_alert_deliveries_total /);
    expect(text.endsWith('# TYPE token_vault_own gauge\ntoken_vault_own 7\n')).toBe(true);
  });

  it('answers scrapes that arrive during a collection with that collection, and collects afresh after it', async () => {
    let collections = 0;
    let finish: (text: string) => void = () => undefined;
    sut.addText(() => {
      collections += 1;
      return new Promise<string>((resolve) => (finish = resolve));
    });

    const first = sut.scrape();
    const during = [sut.scrape(), sut.scrape(), sut.scrape()];
    finish('token_vault_own 1\n');
    const answers = await Promise.all([first, ...during]);
    expect(collections).toBe(1);
    expect(new Set(answers).size).toBe(1);

    const after = sut.scrape();
    finish('token_vault_own 2\n');
    expect(await after).toContain('token_vault_own 2\n');
    expect(collections).toBe(2);
  });
});
