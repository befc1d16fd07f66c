/** A strategy service (or an operator's tool) that may read tokens. */
export interface ServiceClient {
  name: string;
  /** Hex SHA-256 of the key: the key itself is never stored. */
  keySha256: string;
  /** Account ids it may read, or `*` for all. */
  accounts: string[];
  admin: boolean;
}

export function mayRead(client: ServiceClient, clientId: string): boolean {
  return client.accounts.includes('*') || client.accounts.includes(clientId);
}
