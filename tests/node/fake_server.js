// fake_server.js — a misbehaving "primary" for error-path tests of core/http.c.
// Usage: node fake_server.js PORTFILE [CERT.pem KEY.pem]   (listens on a free
// loopback port and writes it to PORTFILE once listening; with a certificate
// and key it speaks HTTPS instead of HTTP). The first path segment picks the
// answer, so one server covers every case:
//   /auth/...   401 Unauthorized         /forbid/... 403 Forbidden
//   /boom/...   503 with a text body     /big/...    200 with 100000 bytes
//   /slow/...   200 after 3 seconds      /echo/...   200, body = the request's
//               Authorization and Content-Type headers, one per line
//   /garbage/.. 200 with a non-protobuf body;  anything else: 404 Not Found
'use strict';
const http = require('http');
const https = require('https');
const fs = require('fs');

const portFile = process.argv[2];
if (!portFile) {
  console.error('usage: node fake_server.js PORTFILE [CERT.pem KEY.pem]');
  process.exit(2);
}

const [certFile, keyFile] = process.argv.slice(3);
const handler = (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const first = req.url.split('/')[1] || '';
    switch (first) {
      case 'auth': res.writeHead(401); res.end('token rejected'); break;
      case 'forbid': res.writeHead(403); res.end('forbidden'); break;
      case 'boom': res.writeHead(503); res.end('primary overloaded\n'); break;
      case 'big': res.writeHead(200); res.end(Buffer.alloc(100000, 0x41)); break;
      case 'slow': setTimeout(() => { res.writeHead(200); res.end('late'); }, 3000); break;
      case 'echo':
        res.writeHead(200);
        res.end(`authorization=${req.headers.authorization || ''}\n` +
                `content-type=${req.headers['content-type'] || ''}\n`);
        break;
      case 'garbage': res.writeHead(200); res.end('<html>not a primary</html>'); break;
      default: res.writeHead(404); res.end('Not Found');
    }
  });
};
const server = certFile
  ? https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, handler)
  : http.createServer(handler);
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String(server.address().port));
});
