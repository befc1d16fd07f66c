import { ReplyError } from 'ioredis';
import { connectionFailure, DISCONNECTED, failurePhrase, StoreRefusal, TIMED_OUT, unusableReason } from './redis-failure';

const reply = (message: string): Error => new ReplyError(message);
const network = (code: string): Error => Object.assign(new Error(`connect ${code} 10.0.0.5:6379`), { code });

describe('unusableReason', () => {
  it('is null for a reply that is the caller’s to report: Redis answered', () => {
    expect(unusableReason(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBeNull();
    expect(unusableReason(reply('NOSCRIPT No matching script. Please use EVAL.'))).toBeNull();
    expect(unusableReason(reply('ERR Error running script'))).toBeNull();
    expect(unusableReason(new Error('Redis refused the token write'))).toBeNull();
  });

  it('names a reply that says the node cannot serve, by its first word', () => {
    expect(unusableReason(reply("READONLY You can't write against a read only replica."))).toMatch(/^READONLY/);
    expect(unusableReason(reply('LOADING Redis is loading the dataset in memory'))).toMatch(/^LOADING/);
    expect(unusableReason(reply('NOAUTH Authentication required.'))).toMatch(/^NOAUTH: check REDIS_PASSWORD/);
  });

  it('names a command that waited out its deadline', () => {
    expect(unusableReason(new Error('Command timed out'))).toBe(TIMED_OUT);
  });

  it('names a network failure by its code only', () => {
    expect(unusableReason(network('ECONNRESET'))).toBe('ECONNRESET');
  });

  it('names the connection’s own failure for a command ioredis refused while reconnecting', () => {
    const refused = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(unusableReason(refused, 'ECONNREFUSED')).toBe('ECONNREFUSED');
    expect(unusableReason(refused)).toBe(DISCONNECTED);
    expect(unusableReason(new Error('Connection is closed.'))).toBe(DISCONNECTED);
  });

  it('gives the vault’s own refusal its reason', () => {
    expect(unusableReason(new StoreRefusal('Redis cannot serve (ECONNREFUSED)', true))).toBe('Redis cannot serve (ECONNREFUSED)');
  });
});

describe('connectionFailure', () => {
  it('names a network failure by its code, and a refused password with a hint and no password', () => {
    expect(connectionFailure(network('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(connectionFailure(reply('WRONGPASS invalid username-password pair or user is disabled.'))).toBe(
      'WRONGPASS: check REDIS_PASSWORD or the password in REDIS_URL',
    );
  });

  it('leaves a refused SELECT to the connection check', () => {
    expect(connectionFailure(reply('ERR DB index is out of range'))).toBeNull();
  });

  it('says when no sentinel answers, without the addresses it tried', () => {
    const error = new Error('All sentinels are unreachable. Retrying from scratch after 100ms. Last error: connect ECONNREFUSED 127.0.0.1:26379');
    expect(connectionFailure(error)).toBe('no sentinel answers');
  });
});

describe('failurePhrase', () => {
  it('says what happened in words, with the code an operator would search for', () => {
    expect(failurePhrase('ECONNREFUSED')).toBe('refused the connection (ECONNREFUSED): nothing listens there');
    expect(failurePhrase('ENOTFOUND')).toBe('cannot be found (ENOTFOUND): the host name does not resolve');
    expect(failurePhrase(TIMED_OUT)).toBe('did not answer in time');
    expect(failurePhrase('EPROTO')).toBe('cannot be reached (EPROTO)');
  });

  it('tells a refused password apart from an unreachable Redis', () => {
    const reason = connectionFailure(reply('WRONGPASS invalid username-password pair or user is disabled.'))!;
    expect(failurePhrase(reason)).toBe('refused the password (WRONGPASS: check REDIS_PASSWORD or the password in REDIS_URL)');
    expect(failurePhrase(connectionFailure(network('ECONNREFUSED'))!)).not.toMatch(/password/);
  });

  it('says a node that answers but cannot serve is not unreachable', () => {
    expect(failurePhrase(unusableReason(reply('READONLY You can\'t write against a read only replica.'))!)).toBe('cannot serve (READONLY: a read-only replica)');
  });
});
