import { redirectProblem } from './redirect-url-warning';

describe(redirectProblem.name, () => {
  it("is none for a URL ending in the broker's callback, behind any prefix a proxy adds", () => {
    expect(redirectProblem('pocketful', 'https://vault.desk.example/pocketful/callback', null)).toBeNull();
    expect(redirectProblem('zerodha', 'https://desk.example/vault/zerodha/callback/', null)).toBeNull();
  });

  it("names a path that is not the broker's callback, and the one it should be", () => {
    expect(redirectProblem('zerodha', 'https://vault.desk.example/pocketful/callback', null)).toBe(
      "Zerodha's redirect URL ends in /pocketful/callback, not /zerodha/callback: the broker sends every login there, and this vault's callback is /zerodha/callback",
    );
    expect(redirectProblem('upstox', 'http://127.0.0.1:5000/', null)).toMatch(/^Upstox's redirect URL ends in \/, not \/upstox\/callback/);
  });

  it('in the sandbox, names a port the vault does not listen on, as .env.example copied beside PORT=22200 would', () => {
    expect(redirectProblem('pocketful', 'http://127.0.0.1:5000/pocketful/callback', 22200)).toBe(
      "Pocketful's redirect URL names port 5000, but this vault listens on 22200: the sandbox's Pocketful login would send the browser to a port nothing here answers; unset it to follow PORT",
    );
    expect(redirectProblem('pocketful', 'http://127.0.0.1:22200/pocketful/callback', 22200)).toBeNull();
  });

  it('leaves the port alone outside the sandbox, where a proxy may stand between', () => {
    expect(redirectProblem('fyers', 'https://vault.desk.example/fyers/callback', null)).toBeNull();
  });
});
