import { FastifyReply, FastifyRequest } from 'fastify';
import { audited } from '../audit/audited';
import { BrokerId } from '../brokers/broker-adapter';
import { LoginCookies } from './login-cookie';
import { CallbackQuery, isCompleted, LoginService } from './login.service';
import { successPage } from './pages/login-pages';

/**
 * A broker's callback, answered alike for every broker: the state taken once with the browser's cookie
 * (LoginService.takeAt), a reload after a completed login told which account was stored, else the code exchanged
 * and the token stored; the page, with the audit of what was done.
 */
export async function answerCallback(
  login: LoginService,
  broker: BrokerId,
  query: CallbackQuery,
  cookies: LoginCookies,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const taken = await login.takeAt(broker, query, cookies.sentBy(request.headers.cookie));
  if (isCompleted(taken)) return audited(successPage(taken.clientId, taken.expiresAt, 'again'), { account: taken.clientId, result: 'already_stored' });
  try {
    const token = await login.finishAt(taken);
    // The cookie stays until the state's own end: a reload from this browser is told which account was stored.
    return audited(successPage(token.clientId, token.expiresAt), { account: token.clientId, fingerprint: token.fingerprint });
  } catch (error) {
    // The state is used up, and this login is over: its cookie has nothing left to prove.
    reply.header('set-cookie', cookies.clear(taken.state));
    throw error;
  }
}
