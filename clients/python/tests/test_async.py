"""The asyncio client (AsyncTokenVault) against the two replicas: the same answers as TokenVault, awaited, the loop
never held, and no thread left behind by a task that is cancelled."""

import asyncio
import time

from support import AgainstTheVault
from token_vault import AsyncEventStream, AsyncTokenVault, Token


class AsyncClient(AgainstTheVault):
    def vault(self, **options) -> AsyncTokenVault:
        return AsyncTokenVault(self.env["VAULT_URL"], self.env["VAULT_READER_KEY"], **options)

    def test_reads_a_token_then_hands_out_the_one_it_holds(self):
        self.control("/login", replica=0, account="YA0701")

        async def main():
            vault = self.vault()
            return await vault.token("YA0701"), await vault.token("ya0701")

        first, second = asyncio.run(main())
        self.assertIsInstance(first, Token)
        self.assertEqual((first.client_id, first.access_token), ("YA0701", self.served("YA0701")))
        self.assertEqual(second.access_token, first.access_token)
        self.assertEqual(self.reads("strategy-a", "YA0701"), 1)

    def test_waits_for_the_login_on_the_other_replica_while_the_loop_goes_on(self):
        async def main():
            vault = self.vault()
            waiting = asyncio.create_task(vault.token("YA0702", wait=20))
            ticks = 0
            for _ in range(10):
                await asyncio.sleep(0.1)
                ticks += 1
            self.assertFalse(waiting.done(), "the wait ended before the login")
            await asyncio.to_thread(self.control, "/login", replica=1, account="YA0702")
            return ticks, await asyncio.wait_for(waiting, 25)

        ticks, token = asyncio.run(main())
        self.assertEqual(ticks, 10)
        self.assertEqual(token.access_token, self.served("YA0702"))

    def test_a_cancelled_wait_lets_its_thread_go_at_once(self):
        async def main():
            waiting = asyncio.create_task(self.vault().token("YA0703", wait=50))
            await asyncio.sleep(0.5)
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
            return waiting.cancelled()

        started = time.monotonic()
        # asyncio.run returns once the loop's threads have ended: a thread still waiting would hold it for 50 s.
        self.assertTrue(asyncio.run(main()))
        self.assertLess(time.monotonic() - started, 5)

    def test_follows_events_as_an_async_iterator_after_a_reset(self):
        async def main():
            vault = self.vault()
            seen = []
            async with vault.events(accounts=["YA0711"], last_event_id="1-0") as events:
                self.assertIsInstance(events, AsyncEventStream)
                await asyncio.to_thread(self.control, "/login", replica=1, account="YA0711")
                async for event in events:
                    seen.append(event)
                    if len(seen) == 2:
                        break
            return seen, events.closed, events.last_event_id

        seen, closed, last_event_id = asyncio.run(asyncio.wait_for(main(), 20))
        self.assertEqual([(event.type, event.client_id) for event in seen], [("reset", None), ("token.stored", "YA0711")])
        self.assertEqual((closed, last_event_id), (True, seen[1].id))

    def test_cancelling_the_task_that_follows_events_closes_the_stream_at_once(self):
        async def main():
            stream = self.vault().events()

            async def follow():
                async for _ in stream:
                    pass

            following = asyncio.create_task(follow())
            await asyncio.sleep(0.5)
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
            return stream.closed

        started = time.monotonic()
        self.assertTrue(asyncio.run(main()))
        self.assertLess(time.monotonic() - started, 5)

    def test_reports_a_refused_token_and_drops_the_one_it_holds(self):
        self.control("/login", replica=0, account="YA0721")

        async def main():
            vault = self.vault()
            token = await vault.token("YA0721")
            await asyncio.to_thread(self.control, "/revoke", accessToken=token.access_token)
            report = await vault.report_invalid("YA0721")
            try:
                await vault.token("YA0721")
            except Exception as error:  # the vault removed it, and the client let its copy go
                return report, error
            return report, None

        report, error = asyncio.run(main())
        self.assertEqual((report.client_id, report.verdict), ("YA0721", "invalid"))
        self.assertEqual((getattr(error, "status", None), getattr(error, "error", None)), (404, "token_not_found"))
