import { HttpService } from '@nestjs/axios';
import { AxiosError, AxiosResponse, RawAxiosRequestConfig } from 'axios';
import { firstValueFrom } from 'rxjs';
import { BrokerError, BrokerFailure } from './broker-error';
import { readBrokerErrorBody } from './broker-error-body';

const MAX_RESPONSE_BYTES = 256 * 1024;

/** One call to a broker: its name in messages, the secrets it carries (scrubbed from anything the broker echoes). */
export interface BrokerCall {
  call: string;
  secrets: readonly string[];
  request: RawAxiosRequestConfig;
  /** What a non-2xx answer means for this call; by default 5xx is `unavailable` and anything else `rejected`. */
  failureOf?: (status: number) => BrokerFailure;
}

/**
 * A broker's HTTP calls as every adapter makes them: no retry and no redirect followed (a code is single-use), a
 * deadline, a bounded answer, and every failure a BrokerError built from the status, the broker's own error code
 * and its message with the call's secrets scrubbed out, never from the axios error (which holds the request, with
 * its credentials).
 */
export class BrokerHttp {
  constructor(
    private readonly http: HttpService,
    /** As messages name it: "Pocketful". */
    private readonly broker: string,
    private readonly timeoutMs: number,
  ) {}

  async send({ call, secrets, request, failureOf = defaultFailure }: BrokerCall): Promise<AxiosResponse> {
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
    throw this.refusal(call, response.status, response.data, secrets, failureOf(response.status));
  }

  /** A refusal the broker wrote into a 2xx answer (some say "error" with HTTP 200), or one found on reading it. */
  refusal(call: string, status: number, data: unknown, secrets: readonly string[], failure: BrokerFailure): BrokerError {
    const detail = readBrokerErrorBody(data, [...secrets]);
    const said = [detail.code, detail.description].filter(Boolean).join(': ');
    const message = `${this.broker} refused ${call} (HTTP ${status}${said ? `, ${said}` : ''})`;
    return new BrokerError(failure, message, detail.code, status);
  }

  /** Built from the error's code alone: the axios error itself holds the request, credentials and all. */
  private transportFailure(call: string, error: unknown): BrokerError {
    const code = error instanceof AxiosError ? error.code : undefined;
    if (code === AxiosError.ECONNABORTED || code === AxiosError.ETIMEDOUT) {
      return new BrokerError('timeout', `${this.broker} did not answer ${call} within ${this.timeoutMs} ms`);
    }
    return new BrokerError('unavailable', `${this.broker} could not be reached for ${call}${code ? ` (${code})` : ''}`);
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
