// Reads BASE/v1/tokens/ACCOUNT with the key in WATCH_KEY every 100 ms until the vault refuses the key (401), for
// at most SECONDS. Run inside a replica's container, it asks that replica alone. It prints one line of JSON when
// the first answer comes ({"first": status}), and one when it ends ({"refusedAt": Date.now() of the first 401, or
// null}), so the caller can remove the key once every watch has seen it served.
//
//   docker compose exec -T -e WATCH_KEY SERVICE node --input-type=module - BASE ACCOUNT SECONDS < refusal-watch.mjs
//
// Plain JavaScript with Node's fetch and nothing else: the image holds no node_modules.
const [base, account, seconds] = process.argv.slice(2);
const key = process.env.WATCH_KEY;
if (!base || !account || !seconds || !key) {
  process.stderr.write('usage: WATCH_KEY=… refusal-watch.mjs BASE ACCOUNT SECONDS\n');
  process.exit(2);
}

const deadline = Date.now() + Number(seconds) * 1000;
const ask = async () => {
  try {
    const response = await fetch(`${base}/v1/tokens/${account}`, { headers: { authorization: `Bearer ${key}` } });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
};

let refusedAt = null;
const first = await ask();
process.stdout.write(`${JSON.stringify({ first })}\n`);
if (first === 401) refusedAt = Date.now();
while (refusedAt === null && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if ((await ask()) === 401) refusedAt = Date.now();
}
process.stdout.write(`${JSON.stringify({ refusedAt })}\n`);
