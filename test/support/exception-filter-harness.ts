import { ArgumentsHost, ExceptionFilter, Type } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Test } from '@nestjs/testing';
import type { FastifyRequest } from 'fastify';
import { RefusalRecorder } from '../../src/http/refusal-recorder';
import { RecordingLogger } from './recording-logger';
import { RecordingReply } from './recording-reply';

export { RecordingReply };

/** Remembers every failure it is told of. */
export class RecordingRefusals extends RefusalRecorder {
  readonly calls: Array<{ request: FastifyRequest; status: number; code: string }> = [];
  recordFailure(request: FastifyRequest, status: number, code: string): void {
    this.calls.push({ request, status, code });
  }
}

/** An exception filter built by Nest as the app builds it, its refusal recorder and its logger recording. */
export async function exceptionFilterUnderTest<F extends ExceptionFilter>(filter: Type<F>) {
  const refusals = new RecordingRefusals();
  const logger = new RecordingLogger();
  const moduleRef = await Test.createTestingModule({ providers: [filter, { provide: RefusalRecorder, useValue: refusals }] })
    .setLogger(logger)
    .compile();
  const sut = moduleRef.get(filter);
  /** What the filter answers `error` with, for this request, on a reply that has or has not been sent already. */
  const answer = (error: unknown, request: FastifyRequest, sent = false) => {
    const reply = new RecordingReply(sent);
    sut.catch(error, new ExecutionContextHost([request, reply]) as ArgumentsHost);
    return reply;
  };
  return { sut, refusals, logger, answer };
}
