import { Accounts } from '../brokers/accounts';
import { BrokersSettings } from '../brokers/brokers.config';
import { VaultError } from '../errors/vault-error';
import { BrokerAccountPipe, ClientIdPipe } from './client-id.pipe';

const brokers = new BrokersSettings({ defaultBroker: 'pocketful', accounts: new Accounts('pocketful'), zerodha: null, upstox: null, fyers: null, dhan: null, standIns: [] });

function refusal(run: () => unknown): VaultError {
  try {
    run();
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe(ClientIdPipe.name, () => {
  const sut = new ClientIdPipe(brokers);

  it('writes an account canonically: the default broker bare, any other as broker:id', () => {
    expect([sut.transform('ya0002'), sut.transform('pocketful:YA0002'), sut.transform('Zerodha:ab1234')]).toEqual(['YA0002', 'YA0002', 'zerodha:AB1234']);
  });

  it('refuses what is no account with invalid_client_id', () => {
    expect(refusal(() => sut.transform('nse:AB1234')).code).toBe('invalid_client_id');
    expect(refusal(() => sut.transform('x'.repeat(33))).code).toBe('invalid_client_id');
  });
});

describe(BrokerAccountPipe.name, () => {
  const sut = new BrokerAccountPipe(brokers);

  it("takes the broker from its own segment and the id from the other, written as every account is", () => {
    expect(sut.transform({ broker: 'zerodha', id: 'ab1234' })).toBe('zerodha:AB1234');
    expect(sut.transform({ broker: 'pocketful', id: 'YA0002' })).toBe('YA0002');
  });

  it('refuses a broker the vault does not know, naming the ones it does', () => {
    const error = refusal(() => sut.transform({ broker: 'nse', id: 'AB1234' }));
    expect([error.code, error.status]).toEqual(['invalid_client_id', 400]);
    expect(error.message).toBe('the path names no broker the vault knows: pocketful, zerodha, upstox, fyers, dhan');
  });

  it("refuses an id that names a broker of its own, so zerodha/upstox:AB1234 never reaches Upstox's account", () => {
    expect(refusal(() => sut.transform({ broker: 'zerodha', id: 'upstox:AB1234' })).code).toBe('invalid_client_id');
  });
});
