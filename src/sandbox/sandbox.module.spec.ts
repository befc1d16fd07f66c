import { Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { RecordingRefusals } from '../../test/support/exception-filter-harness';
import { DhanSandbox } from '../brokers/dhan/dhan-sandbox';
import { FyersSandbox } from '../brokers/fyers/fyers-sandbox';
import { UpstoxSandbox } from '../brokers/upstox/upstox-sandbox';
import { ZerodhaSandbox } from '../brokers/zerodha/zerodha-sandbox';
import { ClockModule } from '../clock/clock.module';
import { ConfigurationModule } from '../config/config.module';
import { HttpEdgeModule } from '../http/http-edge.module';
import { RefusalRecorder } from '../http/refusal-recorder';
import { loadVaultConfig } from '../vault-config';
import { SandboxBroker } from './sandbox-broker';
import { SandboxModule } from './sandbox.module';

/** The pages' exception filter records refusals through the audit trail's port; AuditModule is not what this is about. */
@Global()
@Module({ providers: [{ provide: RefusalRecorder, useClass: RecordingRefusals }], exports: [RefusalRecorder] })
class RefusalsModule {}

/** The sandbox as the vault assembles it from these variables (SANDBOX=true, memory store, besides them). */
async function sandboxFor(env: Record<string, string> = {}): Promise<TestingModule> {
  const config = loadVaultConfig({ SANDBOX: 'true', TOKEN_STORE: 'memory', ...env });
  return Test.createTestingModule({
    imports: [ConfigurationModule.forRoot(config.configuration), ClockModule.forRoot(), RefusalsModule, HttpEdgeModule, SandboxModule.forRoot(config.brokers)],
  }).compile();
}

describe(SandboxModule.name, () => {
  let sandbox: TestingModule | undefined;

  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it("stands in for every broker with no key, each with its own accounts in its broker's id format", async () => {
    sandbox = await sandboxFor();
    expect(sandbox.get(SandboxBroker).accounts).toEqual(['YA0002', 'YA0003']);
    expect(sandbox.get(ZerodhaSandbox).options).toMatchObject({ apiKey: 'sandbox-app', accounts: ['AB1234', 'CD5678'], redirectUrl: 'http://127.0.0.1:5000/zerodha/callback' });
    expect(sandbox.get(UpstoxSandbox).options.accounts).toEqual(['7BAB12', '4CDE56']);
    expect(sandbox.get(FyersSandbox).options).toMatchObject({ appId: 'SANDBOXAPP-100', accounts: ['XY01234', 'XZ05678'] });
    expect(sandbox.get(DhanSandbox).options).toMatchObject({ apiKey: 'sandbox-app-id', accounts: ['1000000001', '1000000002'], redirectUrl: 'http://127.0.0.1:5000/dhan/callback' });
  });

  it("offers at each broker the accounts ALLOWED_CLIENT_IDS names of it, and its own where it names none", async () => {
    sandbox = await sandboxFor({ ALLOWED_CLIENT_IDS: 'YA0009,zerodha:ab9999,upstox:9XYZ99,pocketful:YA0010' });
    expect(sandbox.get(SandboxBroker).accounts).toEqual(['YA0009', 'YA0010']);
    expect(sandbox.get(ZerodhaSandbox).options.accounts).toEqual(['AB9999']);
    expect(sandbox.get(UpstoxSandbox).options.accounts).toEqual(['9XYZ99']);
    expect(sandbox.get(FyersSandbox).options.accounts).toEqual(['XY01234', 'XZ05678']);
    expect(sandbox.get(DhanSandbox).options.accounts).toEqual(['1000000001', '1000000002']);
  });

  it("offers at Dhan's the accounts ALLOWED_CLIENT_IDS names of it, and always the one DHAN_CLIENT_ID names, whose consent the vault asks for", async () => {
    sandbox = await sandboxFor({ ALLOWED_CLIENT_IDS: 'dhan:1100000042,dhan:1100000043' });
    expect(sandbox.get(DhanSandbox).options.accounts).toEqual(['1100000042', '1100000043']);
    await sandbox.close();
    sandbox = await sandboxFor({ ALLOWED_CLIENT_IDS: 'dhan:1100000042', DHAN_CLIENT_ID: '1100000099' });
    expect(sandbox.get(DhanSandbox).options.accounts).toEqual(['1100000099', '1100000042']);
  });

  it('mounts no stand-in for a broker configured with its key: the real broker is used', async () => {
    sandbox = await sandboxFor({ ZERODHA_API_KEY: 'kite-key', ZERODHA_API_SECRET: 'kite-secret', ZERODHA_REDIRECT_URL: 'http://127.0.0.1:5000/zerodha/callback' });
    expect(() => sandbox!.get(ZerodhaSandbox)).toThrow();
    expect(sandbox.get(UpstoxSandbox).options.apiKey).toBe('sandbox-app');
  });
});
