import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { clientFor, newServiceKey } from '../access/clients-file';
import { ServiceClientRegistry } from '../access/service-client.registry';
import { EventStream } from './event-stream';
import { FeedEvent } from './feed-event';

const eventAbout = (clientId: string, id: string): FeedEvent => ({
  id,
  type: 'token.stored',
  body: { clientId, expiresAt: '2026-11-24T00:00:00+05:30', at: '2026-11-23T10:00:00+05:30' },
});

/**
 * EventStream on a real HTTP answer, read by a client that stops reading, as a slow consumer does: what the stream
 * writes then waits in the answer's buffer, and the test can tell what of it reaches the client.
 */
describe(EventStream.name, () => {
  let server: Server;
  let client: Socket;
  let raw: ServerResponse;
  let registry: ServiceClientRegistry;
  let sut: EventStream;
  const key = newServiceKey();

  beforeEach(async () => {
    registry = new ServiceClientRegistry([clientFor('watcher', key, ['YA0002', 'YA0003'], false)]);
    const answered = new Promise<ServerResponse>((resolve) => {
      server = createServer((_request, response) => resolve(response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    client.write('GET /v1/events HTTP/1.1\r\nHost: vault\r\n\r\n');
    raw = await answered;
    sut = new EventStream(raw, () => registry.authenticate(key));
    sut.open('req-1');
  });

  afterEach(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /**
   * Sends events until some of them wait in the answer's own buffer after the socket had its turn (the kernel's
   * buffers are full: the client reads no more), then one more, `marker`, which surely waits there.
   */
  async function fillThenSend(marker: FeedEvent): Promise<void> {
    let index = 0;
    for (;;) {
      for (let batch = 0; batch < 1000; batch += 1, index += 1) sut.send(eventAbout('YA0002', `1-${index}`));
      await new Promise((resolve) => setImmediate(resolve));
      if (raw.writableLength > 0) break;
      if (index > 1_000_000) throw new Error('the answer never buffered: the client kept reading');
    }
    sut.send(marker);
    expect(raw.writableLength).toBeGreaterThan(0);
  }

  /** The client reads again, to the end of the connection. */
  function readToTheEnd(): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      client.setEncoding('utf8');
      client.on('data', (chunk: string) => (text += chunk));
      client.on('close', () => resolve(text));
      client.resume();
    });
  }

  it('drops what was queued for a key revoked meanwhile, rather than deliver it', async () => {
    await fillThenSend(eventAbout('YA0002', '2-0'));
    registry.replace([]);
    expect(sut.recheck()).toBeNull();
    const text = await readToTheEnd();
    expect(text).toContain('id: 1-0\n');
    expect(text).not.toContain('id: 2-0\n');
  });

  it('drops what was queued for a key narrowed away from an account it could read', async () => {
    await fillThenSend(eventAbout('YA0003', '2-0'));
    registry.replace([clientFor('watcher', key, ['YA0002'], false)]);
    expect(sut.recheck()).toBeNull();
    const text = await readToTheEnd();
    expect(text).toContain('id: 1-0\n');
    expect(text).not.toContain('id: 2-0\n');
  });

  it('goes on, and delivers all it queued, when the key keeps every account it had', async () => {
    await fillThenSend(eventAbout('YA0003', '2-0'));
    registry.replace([clientFor('watcher', key, ['*'], false), clientFor('newcomer', newServiceKey(), ['*'], false)]);
    expect(sut.recheck()).toMatchObject({ name: 'watcher', accounts: ['*'] });
    sut.end();
    const text = await readToTheEnd();
    expect(text).toContain('id: 2-0\n');
  });
});
