"""The vault behind TLS with a desk's internal CA: the proxy in front of the replicas terminates it (here a Switch
with a certificate of a CA the test makes), and the client trusts that CA through ca_file, VAULT_CA_FILE or
SSL_CERT_FILE, and nothing else."""

import asyncio
import os

from support import AgainstTheVault, TestCa
from token_vault import AsyncTokenVault


class ThroughTlsWithAnInternalCa(AgainstTheVault):
    def setUp(self):
        self.ca = TestCa()
        self.addCleanup(self.ca.close)
        self.fleet = self.switch(self.env["VAULT_URL"], self.ca.server_context())
        self.control("/login", replica=0, account="YA0801")

    def test_reads_a_token_trusting_the_cas_file_it_is_given(self):
        token = self.client(self.fleet.url, ca_file=self.ca.ca_file).token("YA0801")
        self.assertEqual(token.access_token, self.served("YA0801"))

    def test_refuses_a_vault_signed_by_a_ca_it_was_not_given_saying_how_to_trust_it(self):
        sut = self.client(self.fleet.url)
        error = self.raised(lambda: sut.token("YA0801"))
        self.assertEqual((error.status, error.error, error.temporary), (0, "untrusted_certificate", False))
        self.assertIn("(SSLCertVerificationError): its certificate is not signed by a CA this client trusts", error.message)
        self.assertIn("ca_file (or SSL_CERT_FILE)", error.message)
        # An event stream raises it too, rather than trying again for ever: only a change of configuration helps.
        stream = sut.events()
        self.addCleanup(stream.close)
        self.assertEqual(self.raised(lambda: next(stream)).error, "untrusted_certificate")

    def test_trusts_the_ca_that_ssl_cert_file_names(self):
        before = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = self.ca.ca_file
        try:
            sut = self.client(self.fleet.url)
        finally:
            if before is None:
                del os.environ["SSL_CERT_FILE"]
            else:
                os.environ["SSL_CERT_FILE"] = before
        self.assertEqual(sut.token("YA0801").access_token, self.served("YA0801"))

    def test_follows_events_over_tls(self):
        events = self.following(self.client(self.fleet.url, ca_file=self.ca.ca_file).events(accounts=["YA0802"]).connect())
        self.control("/login", replica=1, account="YA0802")
        self.assertEqual((events.next().type, events.nothing_more(0.3)), ("token.stored", []))

    def test_the_async_client_takes_the_ca_from_vault_ca_file(self):
        environ = {"VAULT_URL": self.fleet.url, "VAULT_KEY": self.env["VAULT_READER_KEY"], "VAULT_CA_FILE": self.ca.ca_file}
        token = asyncio.run(AsyncTokenVault.from_env(environ).token("YA0801"))
        self.assertEqual(token.access_token, self.served("YA0801"))
