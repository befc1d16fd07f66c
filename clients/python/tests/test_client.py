"""The sync client (TokenVault) against real vaults, and against servers that are not the vault.

The classes whose tests need vaults run against the two replicas (and a rate-limited third) that
test/clients-python.e2e-spec.ts starts, which gives their addresses, keys and a control URL (a person logging in
on a replica, Redis stopping, the clock moving) in the environment. The others start their own local servers.
"""

import json
import threading
import time
import unittest
from datetime import datetime, timezone

from support import AgainstTheVault, Shift, StandIn, reply
from token_vault import InvalidReport, Token, TokenVault, VaultError


class Caching(AgainstTheVault):
    def test_fetches_a_token_once_then_hands_it_out_from_its_cache(self):
        self.control("/login", replica=1, account="YA0111")
        sut = self.client()
        first = sut.token("YA0111")
        second = sut.token("ya0111")
        self.assertIsInstance(first, Token)
        self.assertEqual((first.client_id, first.broker, first.token_type, first.source), ("YA0111", "pocketful", "bearer", "login"))
        self.assertEqual(first.access_token, self.served("YA0111"))
        self.assertGreater(first.expires_in, 3600)
        self.assertLess(first.issued_at, first.expires_at)
        self.assertEqual(second.access_token, first.access_token)
        self.assertEqual(self.reads("strategy-a", "YA0111"), 1)

    def test_sends_one_request_for_threads_that_ask_at_the_same_moment(self):
        self.control("/login", replica=0, account="YA0112")
        sut = self.client()
        start = threading.Barrier(8)
        tokens = []

        def ask():
            start.wait()
            tokens.append(sut.token("YA0112").access_token)

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(len(tokens), 8)
        self.assertEqual(len(set(tokens)), 1)
        self.assertEqual(self.reads("strategy-a", "YA0112"), 1)

    def test_asks_the_vault_again_once_the_token_is_within_the_refresh_margin(self):
        self.control("/login", replica=0, account="YA0113")
        clock = Shift()
        sut = self.client(refresh_margin=60, clock=clock)
        expires_in = sut.token("YA0113").expires_in
        clock.seconds = expires_in - 75
        self.assertLessEqual(sut.token("YA0113").expires_in, 75)
        self.assertEqual(self.reads("strategy-a", "YA0113"), 1)
        clock.seconds = expires_in - 45
        sut.token("YA0113")
        self.assertEqual(self.reads("strategy-a", "YA0113"), 2)

    def test_reads_an_account_named_with_its_broker_at_the_brokers_route_and_holds_it_once(self):
        self.control("/login", replica=1, account="YA0115")
        sut = self.client()
        by_route = sut.token("YA0115", broker="pocketful")
        named = sut.token("pocketful:ya0115")
        self.assertEqual((by_route.client_id, by_route.broker), ("YA0115", "pocketful"))
        self.assertEqual(named.access_token, by_route.access_token)
        self.assertEqual(self.reads("strategy-a", "YA0115"), 1)

    def test_never_caches_a_token_that_expires_within_the_margin(self):
        self.control("/login", replica=1, account="YA0114", expiresIn=40)
        sut = self.client(refresh_margin=60)
        first = sut.token("YA0114")
        sut.token("YA0114")
        self.assertLessEqual(first.expires_in, 40)
        self.assertEqual(self.reads("strategy-a", "YA0114"), 2)


class WaitingForTheLogin(AgainstTheVault):
    def test_waits_on_one_replica_for_a_login_on_the_other_in_one_long_request(self):
        sut = self.client()
        outcome = {}
        waiting = threading.Thread(target=lambda: outcome.update(token=sut.token("YA0211", wait=20)))
        waiting.start()
        time.sleep(1)
        self.assertTrue(waiting.is_alive(), "the client stopped waiting before the login")
        self.control("/login", replica=1, account="YA0211")
        waiting.join(25)
        self.assertEqual(outcome["token"].access_token, self.served("YA0211"))
        # Each request that ran out without a token is in the audit trail as a failed read.
        self.assertEqual(self.refusals("strategy-a", "YA0211", "token_not_found"), 0)

    def test_asks_again_when_it_waits_longer_than_one_request_may(self):
        sut = self.client(longest_wait=1)
        outcome = {}
        waiting = threading.Thread(target=lambda: outcome.update(token=sut.token("YA0212", wait=20)))
        waiting.start()
        self.until(lambda: self.refusals("strategy-a", "YA0212", "token_not_found") >= 2, 15, "two waits running out")
        self.control("/login", replica=1, account="YA0212")
        waiting.join(25)
        self.assertEqual(outcome["token"].access_token, self.served("YA0212"))

    def test_gives_up_with_token_not_found_when_no_login_comes_in_time(self):
        started = time.monotonic()
        error = self.raised(lambda: self.client().token("YA0213", wait=2))
        self.assertGreaterEqual(time.monotonic() - started, 1.9)
        self.assertEqual((error.status, error.error, error.temporary), (404, "token_not_found", False))


class ReportingARefusedToken(AgainstTheVault):
    def test_drops_the_cached_token_and_returns_invalid_when_pocketful_refuses_it(self):
        self.control("/login", replica=0, account="YA0311")
        sut = self.client()
        token = sut.token("YA0311")
        self.control("/revoke", accessToken=token.access_token)
        self.assertEqual(sut.report_invalid("YA0311"), InvalidReport("YA0311", "invalid", True, 30))
        # The vault removed it: only a client that dropped its copy finds out.
        self.assertEqual(self.raised(lambda: sut.token("YA0311")).error, "token_not_found")

    def test_drops_the_cached_token_even_when_the_vault_finds_it_live(self):
        self.control("/login", replica=0, account="YA0312")
        sut = self.client()
        token = sut.token("YA0312")
        self.assertEqual(sut.report_invalid("YA0312").verdict, "live")
        self.assertEqual(sut.token("YA0312").access_token, token.access_token)
        self.assertEqual(self.reads("strategy-a", "YA0312"), 2)


class RateLimited(AgainstTheVault):
    def burst(self, account: str, times: int):
        url = f"{self.env['VAULT_LIMITED_URL']}/v1/tokens/{account}"
        return [self.get(url, self.env["VAULT_BURSTY_KEY"])[0] for _ in range(times)]

    def limited_client(self, **options) -> TokenVault:
        return self.client(self.env["VAULT_LIMITED_URL"], self.env["VAULT_BURSTY_KEY"], **options)

    def test_sleeps_what_retry_after_says_then_gets_the_token(self):
        budget = int(self.env["VAULT_LIMITED_BUDGET"])
        self.control("/login", replica=0, account="YA0411")
        self.control("/clock/minute-ends-in", seconds=55)
        self.assertEqual(self.burst("YA0411", budget), [200] * budget)
        self.control("/clock/minute-ends-in", seconds=2, sameWindow=True)
        started = time.monotonic()
        token = self.limited_client(max_retry_wait=10).token("YA0411")
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual(token.access_token, self.served("YA0411"))
        self.until(lambda: self.refusals("bursty", "YA0411", "rate_limited") >= 1, 5, "the 429 in the audit trail")

    def test_gives_up_after_its_retries_each_sleep_capped_with_rate_limited(self):
        self.control("/login", replica=0, account="YA0412")
        self.control("/clock/minute-ends-in", seconds=50)
        self.burst("YA0412", int(self.env["VAULT_LIMITED_BUDGET"]))
        started = time.monotonic()
        error = self.raised(lambda: self.limited_client(max_retries=2, max_retry_wait=0.2).token("YA0412"))
        self.assertLess(time.monotonic() - started, 20)
        self.assertEqual((error.status, error.error, error.temporary), (429, "rate_limited", True))
        self.assertGreater(error.retry_after, 40)
        # One more refusal from the same replica: once it shows, every refusal before it shows too.
        self.assertEqual(self.burst("YA0412", 1), [429])
        self.until(lambda: self.refusals("bursty", "YA0412", "rate_limited") >= 4, 5, "the refusals in the audit trail")
        self.assertEqual(self.refusals("bursty", "YA0412", "rate_limited"), 1 + 2 + 1)


class WhenTheVaultCannotAnswer(AgainstTheVault):
    def tearDown(self):
        self.control("/spare/stop")

    def test_hands_out_a_cached_token_not_yet_expired_when_the_vault_is_gone_never_an_expired_one(self):
        self.control("/login", replica=0, account="YA0511")
        clock = Shift()
        sut = self.client(self.control("/spare/start")["url"], clock=clock)
        token = sut.token("YA0511")
        self.control("/spare/stop")
        clock.seconds = token.expires_in - 30
        stale = sut.token("YA0511")
        self.assertEqual(stale.access_token, token.access_token)
        self.assertLessEqual(stale.expires_in, 30)
        clock.seconds = token.expires_in + 1
        error = self.raised(lambda: sut.token("YA0511"))
        self.assertEqual((error.status, error.error, error.temporary), (0, "network_error", True))
        self.assertIn("could not be reached (ConnectionRefusedError)", error.message)

    def test_raises_the_vaults_503_while_redis_is_down_never_the_expired_cached_token(self):
        self.control("/login", replica=0, account="YA0512")
        clock = Shift()
        sut = self.client(clock=clock)
        token = sut.token("YA0512")
        self.control("/redis/stop")
        try:
            clock.seconds = token.expires_in + 1
            error = self.raised(lambda: sut.token("YA0512"))
            self.assertEqual((error.status, error.error, error.temporary), (503, "store_unavailable", True))
        finally:
            self.control("/redis/start")


class TheServiceKey(AgainstTheVault):
    def test_is_in_no_error_message_or_repr(self):
        wrong_key = "tvk_not-a-key-the-vault-knows-0123456789abcdef"
        sut = self.client(key=wrong_key)
        refused = self.raised(lambda: sut.token("YA0111"))
        self.assertEqual((refused.status, refused.error), (401, "unauthorized"))
        gone = self.raised(lambda: TokenVault("http://127.0.0.1:1", wrong_key).token("YA0111"))
        seen = [text for error in (refused, gone) for text in (str(error), repr(error), error.message)] + [repr(sut)]
        self.assertEqual([text for text in seen if "not-a-key-the-vault-knows" in text], [])


class AgainstServersThatAreNotTheVault(unittest.TestCase):
    KEY = "tvk_the-key-of-this-test-0123456789abcdef"

    def stand_in(self, answer) -> StandIn:
        server = StandIn(answer)
        self.addCleanup(server.stop)
        return server

    def raised(self, call) -> VaultError:
        with self.assertRaises(VaultError) as caught:
            call()
        return caught.exception

    def test_gives_up_on_a_request_with_no_answer_after_its_time_limit(self):
        released = threading.Event()
        self.addCleanup(released.set)
        silent = self.stand_in(lambda handler: released.wait(10))
        error = self.raised(lambda: TokenVault(silent.url, self.KEY, timeout=0.3).token("YA0002"))
        self.assertEqual((error.status, error.error, error.temporary), (0, "timeout", True))

    def test_reports_a_proxy_error_page_as_unexpected_response_repeating_none_of_it(self):
        proxy = self.stand_in(reply(502, "<html>upstream said: internal-detail-7f3a</html>", "text/html"))
        error = self.raised(lambda: TokenVault(proxy.url, self.KEY).token("YA0002"))
        self.assertEqual((error.status, error.error, error.temporary), (502, "unexpected_response", True))
        self.assertNotIn("internal-detail-7f3a", repr(error))

    def test_follows_no_redirect_so_the_key_goes_nowhere_else(self):
        elsewhere = self.stand_in(reply(200, "{}"))
        redirecting = self.stand_in(reply(302, "", headers=[("Location", f"{elsewhere.url}/v1/tokens/YA0002")]))
        error = self.raised(lambda: TokenVault(redirecting.url, self.KEY).token("YA0002"))
        self.assertEqual((error.status, error.error), (302, "unexpected_response"))
        self.assertEqual(redirecting.requests, [("/v1/tokens/YA0002", f"Bearer {self.KEY}", None)])
        self.assertEqual(elsewhere.requests, [])

    def test_keeps_a_path_in_front_of_v1_as_behind_a_gateway(self):
        body = '{"error":"token_not_found","message":"no live token is stored for YA0002"}'
        gateway = self.stand_in(reply(404, body))
        error = self.raised(lambda: TokenVault(gateway.url + "/vault/", self.KEY).token("ya0002"))
        self.assertEqual((error.status, error.error, error.message), (404, "token_not_found", "no live token is stored for YA0002"))
        self.assertEqual([path for path, _, _ in gateway.requests], ["/vault/v1/tokens/YA0002"])

    def test_treats_a_2xx_answer_without_a_token_as_unexpected_response(self):
        odd = self.stand_in(reply(200, '{"clientId":"YA0002","accessToken":""}'))
        self.assertEqual(self.raised(lambda: TokenVault(odd.url, self.KEY).token("YA0002")).error, "unexpected_response")

    def test_hands_out_its_times_in_utc_and_leaves_the_token_out_of_its_repr(self):
        body = json.dumps(
            {"clientId": "YA0002", "accessToken": "the-token-itself", "tokenType": "bearer", "scope": "orders holdings", "source": "login",
             "issuedAt": "2026-11-23T08:55:12+05:30", "expiresAt": "2026-11-24T00:00:00+05:30", "expiresIn": 54288}
        )
        token = TokenVault(self.stand_in(reply(200, body)).url, self.KEY).token("YA0002")
        self.assertEqual(token.access_token, "the-token-itself")
        self.assertEqual(token.expires_at, datetime(2026, 11, 23, 18, 30, tzinfo=timezone.utc))
        self.assertEqual((token.issued_at.tzinfo, token.expires_at.tzinfo), (timezone.utc, timezone.utc))
        self.assertNotIn("the-token-itself", repr(token))

    def test_refuses_a_url_that_is_not_http_a_key_with_spaces_and_a_zero_timeout_before_any_request(self):
        with self.assertRaisesRegex(ValueError, "the vault URL must be http"):
            TokenVault("ftp://vault:21", self.KEY)
        with self.assertRaisesRegex(ValueError, "the service key must be set"):
            TokenVault("http://vault:5000", self.KEY + " x")
        with self.assertRaisesRegex(ValueError, "timeout must be more than 0"):
            TokenVault("http://vault:5000", self.KEY, timeout=0)
        with self.assertRaisesRegex(ValueError, "must not carry credentials"):
            TokenVault("http://user:secret@vault:5000", self.KEY)
        with self.assertRaisesRegex(ValueError, "ca_file is for an https"):
            TokenVault("http://vault:5000", self.KEY, ca_file="/etc/ssl/certs/ca-certificates.crt")
        with self.assertRaisesRegex(ValueError, "name the broker once"):
            TokenVault("http://vault:5000", self.KEY).token("zerodha:AB1234", broker="zerodha")

    def test_reads_another_brokers_account_at_its_broker_and_id(self):
        body = '{"error":"token_not_found","message":"no live token is stored for zerodha:AB1234"}'
        vault = self.stand_in(reply(404, body))
        sut = TokenVault(vault.url, self.KEY)
        for asked in (lambda: sut.token("ab1234", broker="Zerodha"), lambda: sut.token("zerodha:ab1234")):
            self.assertEqual(self.raised(asked).error, "token_not_found")
        self.assertEqual([path for path, _, _ in vault.requests], ["/v1/tokens/zerodha/AB1234"] * 2)


class FromTheEnvironment(unittest.TestCase):
    KEY = "tvk_the-key-of-this-test-0123456789abcdef"

    def test_takes_the_url_and_key_from_vault_url_and_vault_key(self):
        sut = TokenVault.from_env({"VAULT_URL": "http://vault:5000/", "VAULT_KEY": self.KEY}, timeout=3)
        self.assertEqual(repr(sut), "TokenVault('http://vault:5000')")

    def test_names_what_is_missing_and_never_the_key(self):
        with self.assertRaises(ValueError) as caught:
            TokenVault.from_env({"VAULT_KEY": self.KEY})
        self.assertEqual(str(caught.exception), "VAULT_URL must be set: the vault's URL and this service's key")
        with self.assertRaisesRegex(ValueError, "^VAULT_URL and VAULT_KEY must be set"):
            TokenVault.from_env({})

    def test_takes_an_internal_cas_file_from_vault_ca_file(self):
        # A file that is no CA bundle is refused when the client is made, naming the variable's file.
        with self.assertRaisesRegex(ValueError, "ca_file '/nowhere/ca.pem' cannot be used as a CA bundle"):
            TokenVault.from_env({"VAULT_URL": "https://vault.desk.internal", "VAULT_KEY": self.KEY, "VAULT_CA_FILE": "/nowhere/ca.pem"})


if __name__ == "__main__":
    unittest.main()
