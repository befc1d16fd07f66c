import { LogCapture } from '../../test/support/log-capture';
import { LoggingSettings } from './logging.config';
import { createVaultLog } from './vault-logger';
import { NestPinoLogger } from './nest-logger';

describe(NestPinoLogger.name, () => {
  const logged = (level: 'info' | 'debug') => {
    const capture = new LogCapture();
    const sut = new NestPinoLogger(createVaultLog(new LoggingSettings(level), capture));
    return { capture, sut };
  };

  it("keeps the framework's start-up lines for debug, so that a start at info says little more than where it listens", () => {
    const { capture, sut } = logged('info');
    sut.log('AppModule dependencies initialized', 'InstanceLoader');
    sut.log('Mapped {/v1/tokens/:clientId, GET} route', '_RouterExplorer');
    sut.log('Nest application successfully started', 'NestApplication');
    sut.log('token-vault listening on http://127.0.0.1:5000 (store: redis)', 'TokenVault');
    expect(capture.lines.map((line) => JSON.parse(line).msg)).toEqual(['token-vault listening on http://127.0.0.1:5000 (store: redis)']);
  });

  it('writes them with LOG_LEVEL=debug, under their context', () => {
    const { capture, sut } = logged('debug');
    sut.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(capture.lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 20, context: 'InstanceLoader' })]);
  });

  it("logs the vault's own lines at info, whatever their context", () => {
    const { capture, sut } = logged('info');
    sut.log('alerts are off', 'AlertService');
    sut.log('no context');
    expect(capture.lines.map((line) => JSON.parse(line).level)).toEqual([30, 30]);
  });
});
