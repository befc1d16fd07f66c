import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * The floor of the comparison: node:http answering the vault's own JSON, with nothing between the socket and
 * the body. Run as `node bare-server.js PORT BODY_FILE`.
 */
const [port, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);

createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
}).listen(Number(port), '127.0.0.1');
