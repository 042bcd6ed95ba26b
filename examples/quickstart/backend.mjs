// The quickstart's backend: answers every request with what it received, as JSON, the way the
// Gateway API conformance echo server does. Listens on 127.0.0.1:3000 (PORT to change it).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const name = process.env.BACKEND_NAME ?? 'backend';

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
