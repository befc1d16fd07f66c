import { ApiProperty } from '@nestjs/swagger';
import { BROKER_IDS } from '../brokers/accounts';
import type { BrokerId } from '../brokers/broker-adapter';
import type { AccountLineState } from './account-line';
import type { AccountStatusJson, ClientsFileJson, DeliveryJson, PreopenJson, StatusJson } from './status.views';

// The shape GET /v1/status answers (status.views.ts), for the OpenAPI document.

class StatusAccountResponse implements AccountStatusJson {
  @ApiProperty({ example: 'YA0002' })
  clientId: string;
  @ApiProperty({ enum: [...BROKER_IDS], example: 'pocketful', description: "The account's broker" })
  broker: BrokerId;
  @ApiProperty({ example: 'https://vault.desk.example/pocketful/login', description: "Where a person logs the account in: its broker's login page under PUBLIC_URL" })
  loginUrl: string;
  @ApiProperty({ enum: ['live', 'expiring', 'expired', 'missing'], example: 'live' })
  state: AccountLineState;
  @ApiProperty({ example: true, description: 'Listed in ALLOWED_CLIENT_IDS' })
  expected: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'login' })
  source: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-23T08:55:12+05:30' })
  issuedAt: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-24T00:00:00+05:30' })
  expiresAt: string | null;
  @ApiProperty({ example: 54288 })
  expiresIn: number;
}

class DeliveryResponse implements DeliveryJson {
  @ApiProperty({ example: '2026-11-23T08:00:00+05:30' })
  at: string;
  @ApiProperty({ example: 'slack' })
  channel: string;
  @ApiProperty({ example: 'missing' })
  type: string;
  @ApiProperty({ enum: ['sent', 'failed'], example: 'failed' })
  result: string;
  @ApiProperty({ type: String, nullable: true, example: 'connection refused (ECONNREFUSED)', description: 'Why a failed delivery failed (HTTP 404, no answer within 5 s, connection refused); null when sent' })
  reason: string | null;
  @ApiProperty({ type: [String], example: ['YA0002'] })
  accounts: string[];
  @ApiProperty({ example: 1 })
  accountCount: number;
}

class AlertsResponse {
  @ApiProperty({ type: [String], example: ['slack'] })
  channels: string[];
  @ApiProperty({ type: [DeliveryResponse], nullable: true, description: 'Null when the delivery log cannot be read' })
  recent: DeliveryResponse[] | null;
}

class PreopenUnknownResponse {
  @ApiProperty({ example: 'YA0004' })
  clientId: string;
  @ApiProperty({ example: 'broker_timeout', description: 'Why the broker gave no verdict' })
  reason: string;
}

class PreopenResponse implements PreopenJson {
  @ApiProperty({ example: '2026-11-24', description: 'The day in India' })
  date: string;
  @ApiProperty({ example: '08:45', description: 'PREOPEN_CHECK_AT' })
  time: string;
  @ApiProperty({ example: 0, description: '0 for the check, then each retry of the accounts without a verdict' })
  attempt: number;
  @ApiProperty({ example: '2026-11-24T08:45:03+05:30' })
  checkedAt: string;
  @ApiProperty({ example: 3, description: 'Tokens the broker was asked about' })
  checked: number;
  @ApiProperty({ example: false, description: 'No retry follows: every verdict is in, or the last retry is done' })
  final: boolean;
  @ApiProperty({ type: [String], example: ['YA0002'] })
  live: string[];
  @ApiProperty({ type: [String], example: ['YA0003'], description: 'Refused by the broker, and removed' })
  refused: string[];
  @ApiProperty({ type: [String], example: [], description: 'Expected accounts with no token' })
  missing: string[];
  @ApiProperty({ type: [PreopenUnknownResponse], description: 'No verdict yet' })
  unknown: PreopenUnknownResponse[];
}

class StoreHealthResponse {
  @ApiProperty({ enum: ['up', 'down'] })
  status: 'up' | 'down';
  @ApiProperty({ example: 'redis' })
  kind: string;
  @ApiProperty({ type: Number, nullable: true, example: 1 })
  latencyMs: number | null;
  @ApiProperty({ type: String, nullable: true })
  message: string | null;
}

class KeysHealthResponse {
  @ApiProperty({ enum: ['up', 'down'] })
  status: 'up' | 'down';
  @ApiProperty({ example: true })
  encrypted: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'k1', description: 'The id of the key new tokens are sealed with' })
  sealing: string | null;
  @ApiProperty({ type: [String], example: ['k1'] })
  configured: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: {}, description: 'Accounts whose token no configured key opens, by key id' })
  unreadable: Record<string, string[]>;
  @ApiProperty({ type: String, nullable: true })
  message: string | null;
}

class ReplicasResponse {
  @ApiProperty({ type: Number, nullable: true, example: 2 })
  seen: number | null;
  @ApiProperty({ type: [String] })
  ids: string[];
  @ApiProperty({ example: 30, description: 'Seconds: a replica counts when seen this recently' })
  within: number;
}

class ClientsFileResponse implements ClientsFileJson {
  @ApiProperty({ enum: ['up', 'down'], description: '`down` once the file has been unusable for CLIENTS_FILE_GRACE_SECONDS: its keys are refused (503 clients_file_unusable) and the replica is not ready' })
  status: 'up' | 'down';
  @ApiProperty({ example: true, description: 'Whether the last check (every second) could read and use the file' })
  valid: boolean;
  @ApiProperty({ example: '/run/token-vault/clients.json' })
  path: string;
  @ApiProperty({ example: 3, description: 'Clients in the last file that could be used' })
  clients: number;
  @ApiProperty({ example: '2026-11-23T09:00:00+05:30', description: 'The last check that could use the file' })
  lastReadAt: string;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'The first check of this spell that could not' })
  failingSince: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it cannot be used, such as "it cannot be read (EACCES)"' })
  message: string | null;
  @ApiProperty({ example: 60, description: 'Seconds: CLIENTS_FILE_GRACE_SECONDS' })
  grace: number;
}

class HealthPartsResponse {
  @ApiProperty({ type: StoreHealthResponse })
  store: StoreHealthResponse;
  @ApiProperty({ type: KeysHealthResponse })
  keys: KeysHealthResponse;
  @ApiProperty({ type: ReplicasResponse })
  replicas: ReplicasResponse;
  @ApiProperty({ type: ClientsFileResponse, nullable: true, description: 'Null when the vault has no clients file (VAULT_CLIENTS_FILE)' })
  clientsFile: ClientsFileResponse | null;
}

export class StatusResponse implements StatusJson {
  @ApiProperty({ example: '2026-11-23T09:00:00+05:30' })
  at: string;
  @ApiProperty({ example: '0.2.0' })
  version: string;
  @ApiProperty({ example: 1800, description: 'Seconds: a live token this close to its expiry is `expiring`' })
  expiringWithin: number;
  @ApiProperty({ type: [StatusAccountResponse], nullable: true, description: 'Null when the store cannot be read' })
  accounts: StatusAccountResponse[] | null;
  @ApiProperty({ type: AlertsResponse })
  alerts: AlertsResponse;
  @ApiProperty({ type: PreopenResponse, nullable: true, description: 'The last pre-open check; null when none in two days' })
  preopen: PreopenResponse | null;
  @ApiProperty({ type: HealthPartsResponse })
  health: HealthPartsResponse;
}
