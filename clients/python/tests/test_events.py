"""Following the vault's events (TokenVault.events) against the two replicas and one that restarts, and against
servers that are not the vault."""

import functools
import threading
import time
import unittest
from datetime import timezone

from support import AgainstTheVault, StandIn
from token_vault import EventStream, TokenVault, VaultError


def order(event_id: str):
    """An event id as the vault orders them: by time, then by sequence."""
    milliseconds, sequence = event_id.split("-")
    return int(milliseconds), int(sequence)


class FollowingEvents(AgainstTheVault):
    def test_hands_out_the_events_of_the_accounts_asked_for_in_order_with_their_times_in_utc(self):
        stream = self.client().events(accounts=["ya0601"]).connect()
        self.assertIsInstance(stream, EventStream)
        events = self.following(stream)
        self.control("/login", replica=1, account="YA0602")  # another account's: not handed out
        self.control("/login", replica=0, account="YA0601")
        self.delete("YA0601")
        stored, removed = events.next(), events.next()
        self.assertEqual((stored.type, stored.client_id, stored.reason), ("token.stored", "YA0601", None))
        self.assertEqual((removed.type, removed.client_id, removed.reason), ("token.removed", "YA0601", "deleted"))
        self.assertLess(order(stored.id), order(removed.id))
        self.assertEqual((stored.at.tzinfo, stored.expires_at.tzinfo), (timezone.utc, timezone.utc))
        self.assertLess(stored.at, stored.expires_at)
        self.assertEqual(stream.last_event_id, removed.id)

    def test_drops_the_token_it_holds_when_the_account_gets_a_new_one_so_the_next_read_is_the_new_one(self):
        self.control("/login", replica=0, account="YA0611")
        sut = self.client()
        old = sut.token("YA0611")
        events = self.following(sut.events(accounts="YA0611").connect())
        self.control("/login", replica=1, account="YA0611")
        self.assertEqual(events.next().type, "token.stored")
        new = sut.token("YA0611")
        self.assertNotEqual(new.access_token, old.access_token)
        self.assertEqual(new.access_token, self.served("YA0611"))
        self.assertEqual(self.reads("strategy-a", "YA0611"), 2)

    def test_resumes_across_a_replica_restart_losing_no_event_and_repeating_none(self):
        # The client has one URL, the fleet's (the proxy in front of the replicas): here a Switch, which sends each
        # connection to one replica. That replica stops under the stream; while it is away a login and a delete
        # happen on the others; it comes back as a new process, and the proxy sends to it.
        fleet = self.switch(self.control("/spare/start")["url"])
        self.addCleanup(self.control, "/spare/stop")
        stream = self.client(fleet.url).events(accounts=["YA0621"], reconnect_wait=0.2).connect()
        events = self.following(stream)
        self.control("/login", replica=0, account="YA0621")
        first = events.next()
        self.control("/spare/stop")
        self.control("/login", replica=1, account="YA0621")
        self.delete("YA0621")
        fleet.switch(self.control("/spare/start")["url"])
        self.control("/login", replica=0, account="YA0621")
        seen = [first] + events.take(3, 20)
        self.assertEqual(
            [(event.type, event.reason) for event in seen],
            [("token.stored", None), ("token.stored", None), ("token.removed", "deleted"), ("token.stored", None)],
        )
        self.assertEqual(sorted(seen, key=lambda event: order(event.id)), seen)
        self.assertEqual(len({event.id for event in seen}), 4)
        self.assertEqual(events.nothing_more(1.0), [])
        self.assertGreaterEqual(fleet.connections, 2)

    def test_says_reset_when_it_resumes_after_an_id_older_than_the_vault_keeps_and_drops_the_tokens_it_holds(self):
        self.control("/login", replica=0, account="YA0631")
        sut = self.client()
        sut.token("YA0631")
        events = self.following(sut.events(accounts=["YA0631"], last_event_id="1-0").connect())
        reset = events.next()
        self.assertEqual((reset.type, reset.id, reset.client_id), ("reset", None, None))
        # Events may have been missed: the token held is not trusted, and the next read asks the vault.
        sut.token("YA0631")
        self.assertEqual(self.reads("strategy-a", "YA0631"), 2)
        # Live events follow.
        self.control("/login", replica=1, account="YA0631")
        self.assertEqual((events.next().type, events.nothing_more(0.5)), ("token.stored", []))

    def test_resumes_in_a_later_stream_after_the_last_event_id_of_an_earlier_one(self):
        sut = self.client()
        earlier = sut.events(accounts=["YA0641"]).connect()
        events = self.following(earlier)
        self.control("/login", replica=0, account="YA0641")
        seen = events.next()
        events.stop()
        self.assertEqual(earlier.last_event_id, seen.id)
        self.delete("YA0641")  # while no stream is open, as while a strategy restarts
        missed = self.following(sut.events(accounts=["YA0641"], last_event_id=earlier.last_event_id)).next()
        self.assertEqual((missed.type, missed.client_id, missed.reason), ("token.removed", "YA0641", "deleted"))

    def test_ends_at_once_when_closed_from_another_thread(self):
        stream = self.client().events().connect()
        events = self.following(stream)
        started = time.monotonic()
        stream.close()
        self.assertIsNone(events.next(5))
        self.assertLess(time.monotonic() - started, 2)

    def test_raises_the_vaults_refusal_of_an_unknown_key(self):
        sut = self.client(key="tvk_not-a-key-the-vault-knows-0123456789abcdef")
        for stream, begin in ((sut.events(), next), (sut.events(), EventStream.connect)):
            self.addCleanup(stream.close)
            error = self.raised(functools.partial(begin, stream))
            self.assertEqual((error.status, error.error, error.temporary), (401, "unauthorized", False))


def sse(body: str, then=None):
    """An event stream's answer that ends after body, or after `then()` returns."""

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        handler.wfile.write(body.encode())
        handler.wfile.flush()
        if then is not None:
            then()

    return answer


def refusal(status: int, error: str):
    def answer(handler):
        body = f'{{"error":"{error}","message":"refused"}}'.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


STORED = 'event: token.stored\ndata: {"clientId":"YA0002","expiresAt":"2026-11-24T00:00:00+05:30","at":"2026-11-23T08:55:12+05:30"}\n\n'
REMOVED = 'event: token.removed\ndata: {"clientId":"YA0002","expiresAt":null,"at":"2026-11-23T09:00:00+05:30","reason":"deleted"}\n\n'


class EventsFromServersThatAreNotTheVault(unittest.TestCase):
    KEY = "tvk_the-key-of-this-test-0123456789abcdef"

    def answering(self, *answers) -> StandIn:
        """A stand-in that gives each request the next of answers, the last one from then on."""
        given = list(answers)
        server = StandIn(lambda handler: (given.pop(0) if len(given) > 1 else given[0])(handler))
        self.addCleanup(server.stop)
        return server

    def stream(self, server: StandIn, **options) -> EventStream:
        stream = TokenVault(server.url, self.KEY).events(**options)
        self.addCleanup(stream.close)
        return stream

    def test_sends_the_last_id_when_it_reconnects_and_hands_out_no_event_twice(self):
        server = self.answering(
            sse(f"retry: 50\n\nid: 5-0\n{STORED}"),
            # A server that replays from before the id it was sent.
            sse(f"id: 5-0\n{STORED}id: 6-0\n{REMOVED}"),
        )
        stream = self.stream(server)
        seen = [next(stream), next(stream)]
        self.assertEqual([(event.id, event.type, event.reason) for event in seen], [("5-0", "token.stored", None), ("6-0", "token.removed", "deleted")])
        self.assertIsNone(seen[1].expires_at)
        self.assertEqual([last_event_id for _, _, last_event_id in server.requests], [None, "5-0"])

    def test_waits_out_a_vault_that_cannot_answer_and_raises_a_refusal_for_good(self):
        server = self.answering(refusal(503, "shutting_down"), refusal(401, "unauthorized"))
        error = None
        try:
            next(self.stream(server, reconnect_wait=0.05))
        except VaultError as raised:
            error = raised
        self.assertEqual((error.status, error.error) if error else None, (401, "unauthorized"))
        self.assertEqual(len(server.requests), 2)

    def test_connects_again_when_the_connection_stays_silent_past_its_idle_timeout(self):
        released = threading.Event()
        self.addCleanup(released.set)
        server = self.answering(sse(": ping\n\n", then=lambda: released.wait(10)), sse(f"id: 7-0\n{STORED}"))
        started = time.monotonic()
        event = next(self.stream(server, idle_timeout=0.3, reconnect_wait=0.05))
        self.assertEqual(event.id, "7-0")
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual([last_event_id for _, _, last_event_id in server.requests], [None, None])

    def test_refuses_a_last_event_id_the_vault_could_not_have_sent_before_any_request(self):
        with self.assertRaisesRegex(ValueError, "last_event_id must be an id the vault sent"):
            TokenVault("http://vault:5000", self.KEY).events(last_event_id="yesterday")


if __name__ == "__main__":
    unittest.main()
