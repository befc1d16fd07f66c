import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors';
import type { FastifyReply } from 'fastify';
import { ServiceKeyGuard } from '../access/service-key.guard';
import { VaultRequest } from '../access/vault-request';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { EventStreams } from './event-streams';

/** Opening a stream counts once against the client's budget; what it carries afterwards does not. */
@Controller('v1/events')
@ApiTags('tokens')
@ApiBearerAuth('serviceKey')
@UseGuards(ServiceKeyGuard, RateLimitGuard)
export class EventsController {
  constructor(private readonly streams: EventStreams) {}

  /** Server-Sent Events about the tokens of the accounts the key may read; never a token. */
  @Get()
  @ApiOperation({ summary: 'Server-Sent Events about the tokens the key may read: token.stored, token.removed, token.expiring' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event; a stream too far behind is sent `reset` instead' })
  @ApiOkResponse({ description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' }, example: 'id: 1763868312000-0\nevent: token.stored\ndata: {"clientId":"YA0002","expiresAt":"2026-11-24T00:00:00+05:30"}\n\n' } } })
  @ApiErrors('invalid_last_event_id', 'unauthorized', 'clients_file_unusable', 'rate_limited', 'store_unavailable', 'shutting_down')
  open(@Req() request: VaultRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.streams.serve(request, reply);
  }
}
