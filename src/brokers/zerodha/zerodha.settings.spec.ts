import { DailyCutoff } from '../../clock/daily-cutoff';
import { ZerodhaSettings } from './zerodha.settings';

describe(ZerodhaSettings.name, () => {
  const required = { apiKey: 'key', apiSecret: 'secret', redirectUrl: 'http://127.0.0.1:5000/zerodha/callback' };

  it("defaults to Kite's own hosts, a 10 s deadline and the 06:00 cut-off", () => {
    const sut = new ZerodhaSettings(required);
    expect(sut).toMatchObject({ loginUrl: 'https://kite.zerodha.com', apiUrl: 'https://api.kite.trade', timeoutMs: 10_000 });
    expect(sut.cutoff.toString()).toBe('06:00');
  });

  it('takes other hosts without their trailing slash, and another cut-off', () => {
    const sut = new ZerodhaSettings({ ...required, loginUrl: 'http://127.0.0.1:8080/kite/', apiUrl: 'http://127.0.0.1:8081//', cutoff: DailyCutoff.parse('05:30') });
    expect(sut).toMatchObject({ loginUrl: 'http://127.0.0.1:8080/kite', apiUrl: 'http://127.0.0.1:8081' });
    expect(sut.cutoff.toString()).toBe('05:30');
  });
});
