import { Logger } from '@nestjs/common';
import { RecordingLogger } from '../../test/support/recording-logger';
import { HeldRequests } from './held-requests';
import { TokenFeedSettings } from './token-feed.config';

const settings = new TokenFeedSettings({ heldPerClient: 2, heartbeatMs: 15_000, replayMost: 1_000 });

describe(HeldRequests.name, () => {
  // Its warnings at a client's bound are kept rather than printed: the service is built without a testing module.
  beforeEach(() => Logger.overrideLogger(new RecordingLogger()));

  it('admits a client up to its bound, then refuses with 429 and Retry-After, leaving other clients be', () => {
    const held = new HeldRequests(settings);
    held.admit('a', 'wait', () => undefined);
    held.admit('a', 'events', () => undefined);
    expect(() => held.admit('a', 'wait', () => undefined)).toThrow(
      expect.objectContaining({ code: 'rate_limited', status: 429, headers: { 'Retry-After': expect.stringMatching(/^[1-9]\d*$/) } }),
    );
    expect(() => held.admit('b', 'wait', () => undefined)).not.toThrow();
    expect([held.count('wait'), held.count('events')]).toEqual([2, 1]);
  });

  it('frees the place on release, once however often it is released', () => {
    const held = new HeldRequests(settings);
    const release = held.admit('a', 'wait', () => undefined);
    held.admit('a', 'wait', () => undefined);
    release();
    release();
    expect(held.count('wait')).toBe(1);
    expect(() => held.admit('a', 'wait', () => undefined)).not.toThrow();
    expect(() => held.admit('a', 'wait', () => undefined)).toThrow(expect.objectContaining({ status: 429 }));
  });

  it('says once that a client is at its bound, again only after it went below it', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const held = new HeldRequests(settings);
      const release = held.admit('a', 'wait', () => undefined);
      held.admit('a', 'wait', () => undefined);
      for (let attempt = 0; attempt < 3; attempt += 1) expect(() => held.admit('a', 'wait', () => undefined)).toThrow(expect.objectContaining({ status: 429 }));
      expect(warn.mock.calls.map(([message]) => message)).toEqual([
        'client a holds 2 waits and event streams open on this replica, its bound; further ones get 429 until one ends',
      ]);
      release();
      held.admit('a', 'wait', () => undefined);
      expect(() => held.admit('a', 'wait', () => undefined)).toThrow(expect.objectContaining({ status: 429 }));
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
  });

  it('forgets a client once it holds nothing', () => {
    const held = new HeldRequests(settings);
    held.admit('a', 'wait', () => undefined)();
    expect(held.clients).toBe(0);
  });

  it('ends everything held at shutdown, and refuses what comes after with 503 shutting_down', () => {
    const held = new HeldRequests(settings);
    const ended: string[] = [];
    held.admit('a', 'wait', () => ended.push('wait'));
    held.admit('b', 'events', () => ended.push('events'));
    held.beforeApplicationShutdown();
    expect(ended.sort()).toEqual(['events', 'wait']);
    expect(() => held.admit('c', 'wait', () => undefined)).toThrow(expect.objectContaining({ code: 'shutting_down', status: 503 }));
  });
});
