import { HttpService } from '@nestjs/axios';
import { AxiosError, AxiosResponse, RawAxiosRequestConfig } from 'axios';
import { firstValueFrom } from 'rxjs';
import { BrokerId } from './broker-adapter';
import { BrokerError, BrokerFailure } from './broker-error';
import { readBrokerErrorBody } from './broker-error-body';
import { BrokerEndpoint, BrokerMetrics } from './broker-metrics';
import { BROKER_NAMES } from './broker-names';

const MAX_RESPONSE_BYTES = 256 * 1024;

/** What a non-2xx answer means for a call, from its status and the broker's own error code when it gave one. */
export type FailureOf = (status: number, brokerCode: string | undefined) => BrokerFailure;

/**
 * One call to a broker: the endpoint it is counted under, its name in messages, the secrets it carries (scrubbed
 * from anything the broker echoes), and the reading of its 2xx answer.
 */
export interface BrokerCall<B extends BrokerId, T> {
  endpoint: BrokerEndpoint<B>;
  call: string;
  secrets: readonly string[];
  request: RawAxiosRequestConfig;
  /** What a non-2xx answer means for this call; by default 5xx is `unavailable` and anything else `rejected`. */
  failureOf?: FailureOf;
  /**
   * What the call yields from a 2xx answer. What it throws (a refusal written into a 2xx, an answer without what the
   * vault needs) is the call's outcome as much as an HTTP failure is, so the metrics count it.
   */
  read: (response: AxiosResponse) => T;
}

/**
 * A broker's HTTP calls as every adapter makes them: no retry and no redirect followed (a code is single-use), a
 * deadline, a bounded answer, each call timed and counted by its broker, endpoint and outcome (BrokerMetrics), and
 * every failure a BrokerError built from the status, the broker's own error code and its message with the call's
 * secrets scrubbed out, never from the axios error (which holds the request, with its credentials).
 */
export class BrokerHttp<B extends BrokerId> {
  /** As messages name the broker: "Pocketful". */
  private readonly name: string;

  constructor(
    private readonly http: HttpService,
    private readonly metrics: BrokerMetrics,
    private readonly broker: B,
    private readonly timeoutMs: number,
  ) {
    this.name = BROKER_NAMES[broker];
  }

  /** Sends the call and reads its answer, measured from the request to the end of the reading. */
  send<T>(call: BrokerCall<B, T>): Promise<T> {
    return this.metrics.measure(this.broker, call.endpoint, async () => call.read(await this.answer(call)));
  }

  private async answer({ call, secrets, request, failureOf = defaultFailure }: BrokerCall<B, unknown>): Promise<AxiosResponse> {
    let response: AxiosResponse;
    try {
      response = await firstValueFrom(
        this.http.request({
          ...request,
          timeout: this.timeoutMs,
          maxContentLength: MAX_RESPONSE_BYTES,
          maxRedirects: 0,
          validateStatus: () => true,
        }),
      );
    } catch (error) {
      throw this.transportFailure(call, error);
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw this.refusal(call, response.status, response.data, secrets, failureOf);
  }

  /**
   * A refusal: a non-2xx answer, one the broker wrote into a 2xx answer (some say "error" with HTTP 200), or one found
   * on reading it. `failure` may be decided from the status and the broker's code.
   */
  refusal(call: string, status: number, data: unknown, secrets: readonly string[], failure: BrokerFailure | FailureOf): BrokerError {
    const detail = readBrokerErrorBody(data, [...secrets]);
    const said = [detail.code, detail.description].filter(Boolean).join(': ');
    const message = `${this.name} refused ${call} (HTTP ${status}${said ? `, ${said}` : ''})`;
    return new BrokerError(typeof failure === 'function' ? failure(status, detail.code) : failure, message, detail.code, status);
  }

  /** Built from the error's code alone: the axios error itself holds the request, credentials and all. */
  private transportFailure(call: string, error: unknown): BrokerError {
    const code = error instanceof AxiosError ? error.code : undefined;
    if (code === AxiosError.ECONNABORTED || code === AxiosError.ETIMEDOUT) {
      return new BrokerError('timeout', `${this.name} did not answer ${call} within ${this.timeoutMs} ms`);
    }
    return new BrokerError('unavailable', `${this.name} could not be reached for ${call}${code ? ` (${code})` : ''}`);
  }
}

function defaultFailure(status: number): BrokerFailure {
  return status >= 500 ? 'unavailable' : 'rejected';
}

/** For a whoami call: the broker's 401 or 403 is its verdict on the token. */
export function whoamiFailure(status: number): BrokerFailure {
  if (status === 401 || status === 403) return 'unauthorized';
  return defaultFailure(status);
}
