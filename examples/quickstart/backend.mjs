// The quickstart's backend: answers every request with what it received, as JSON, the way the
// Gateway API conformance echo server does. Usage: node backend.mjs [port=3000] [name=backend].
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 3000);
const name = process.argv[3] ?? 'backend';

createServer((req, res) => {
  const body = JSON.stringify({
    path: req.url,
    host: req.headers.host,
    method: req.method,
    headers: req.headers,
    backend: name,
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`${body}\n`);
}).listen(port, '127.0.0.1', () => {
  console.log(`${name} listening on http://127.0.0.1:${port}`);
});
