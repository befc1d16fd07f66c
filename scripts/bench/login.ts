import { request as httpRequest } from 'node:http';
import type { BrokerStub } from './broker-stub';
import { request } from './http';

/** A login begun at the vault and approved at the broker: the callback the browser is about to send, with its cookie. */
export interface ApprovedLogin {
  path: string;
  cookie: string;
}

/**
 * A person's login of `account` up to the callback, as a browser makes it: the vault's login route (its redirect to
 * the broker, and the login cookie), then the broker's page, where the person approves.
 */
export async function approveLogin(vaultUrl: string, broker: BrokerStub, account: string): Promise<ApprovedLogin> {
  const begun = await request(`${vaultUrl}/pocketful/login`);
  const location = begun.headers.location;
  if (begun.status !== 302 || location === undefined) throw new Error(`GET /pocketful/login answered ${begun.status}`);
  const query = Object.fromEntries(new URL(location).searchParams);
  const problem = broker.broker.authorizeProblem(query);
  if (problem) throw new Error(`the broker refused the vault's authorize request: ${problem}`);
  const back = new URL(broker.broker.redirectAfterLogin(query.state, query.scope ?? '', account, broker.broker.challengeOf(query)));
  const cookie = (begun.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
  return { path: `${back.pathname}${back.search}`, cookie };
}

export interface SentCallback {
  /** process.hrtime.bigint() just before the request was handed to the socket: when the login's callback was sent. */
  sentAt: bigint;
  /** Its answer, whole, with the same clock's reading when it had come. */
  answered: Promise<{ status: number; at: bigint }>;
}

/** The callback of an approved login, as the browser sends it. Only its status is looked at: the page names the account. */
export function sendCallback(vaultUrl: string, login: ApprovedLogin): SentCallback {
  const outgoing = httpRequest(`${vaultUrl}${login.path}`, { headers: { cookie: login.cookie }, agent: false, timeout: 10_000 });
  const answered = new Promise<{ status: number; at: bigint }>((resolve, reject) => {
    outgoing.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, at: process.hrtime.bigint() }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('the login callback had no answer within 10 s')));
    outgoing.on('error', reject);
  });
  const sentAt = process.hrtime.bigint();
  outgoing.end();
  return { sentAt, answered };
}
