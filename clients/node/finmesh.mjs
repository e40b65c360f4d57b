// A finmesh client on Node.js 20's built-in crypto and fetch only (no npm package):
// signs requests per RFC 9421 with an RFC 9530 Content-Digest, signs messages, sends,
// receives, verifies what it receives without trusting the node, and acknowledges.
// The wire form is described in docs/integrate.md; this file is its second implementation.

import { createHash, createPrivateKey, randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const COMPONENTS = '("@method" "@path" "@query" "content-digest")';

export function loadProfile(folder, passphrase = process.env.FINMESH_PASSPHRASE) {
  const profile = JSON.parse(readFileSync(join(folder, 'profile.json'), 'utf8'));
  const keyPem = readFileSync(join(folder, 'key.pem'));
  return {
    subject: profile.subject,
    url: profile.url,
    key: createPrivateKey(passphrase ? { key: keyPem, passphrase } : keyPem),
    ca: new X509Certificate(readFileSync(join(folder, 'ca.pem'))),
  };
}

export function contentDigest(body) {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

// The three headers that authenticate one request (RFC 9421 section 2.5 signature base).
export function signRequest(profile, method, target, body, now = Date.now()) {
  const [path, query = ''] = splitTarget(target);
  const digest = contentDigest(body);
  const created = Math.floor(now / 1000);
  const nonce = randomBytes(16).toString('hex');
  const params = `${COMPONENTS};created=${created};keyid="${profile.subject}"` +
    `;alg="ecdsa-p256-sha256";nonce="${nonce}"`;
  const base = [
    `"@method": ${method.toUpperCase()}`,
    `"@path": ${path}`,
    `"@query": ?${query}`,
    `"content-digest": ${digest}`,
    `"@signature-params": ${params}`,
  ].join('\n');
  // RFC 9421 ecdsa-p256-sha256 wants r||s (IEEE P1363), not DER
  const signature = sign('sha256', Buffer.from(base, 'ascii'),
    { key: profile.key, dsaEncoding: 'ieee-p1363' });
  return {
    'Content-Digest': digest,
    'Signature-Input': `sig1=${params}`,
    'Signature': `sig1=:${signature.toString('base64')}:`,
  };
}

function splitTarget(target) {
  const at = target.indexOf('?');
  return at < 0 ? [target] : [target.slice(0, at), target.slice(at + 1)];
}

export class FinmeshError extends Error {
  constructor(status, answer) {
    super(`${answer.error ?? 'http_error'}: ${answer.message ?? ''} (HTTP ${status})`);
    this.status = status;
    this.code = answer.error;
  }
}

export async function call(profile, method, target, json = undefined, url = profile.url) {
  const body = json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json));
  const headers = { ...signRequest(profile, method, target, body), 'Content-Type': 'application/json' };
  const response = await fetch(url + target, {
    method, headers, body: body.length ? body : undefined,
  });
  const answer = await response.json();
  if (!response.ok) throw new FinmeshError(response.status, answer);
  return answer;
}

// A detached JWS with unencoded payload (RFC 7515 + RFC 7797) over the exact bytes.
export function signJws(key, payload) {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', b64: false, crit: ['b64'] }))
    .toString('base64url');
  const input = Buffer.concat([Buffer.from(`${header}.`, 'ascii'), payload]);
  const signature = sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
  return `${header}..${signature.toString('base64url')}`;
}

// Submit messages (the exact bytes, each with its JWS); one result per message.
export async function send(profile, payloads, url = profile.url) {
  const messages = payloads.map((payload) => ({
    payload: payload.toString('base64'),
    signature: signJws(profile.key, payload),
  }));
  return (await call(profile, 'POST', '/v1/messages', { messages }, url)).results;
}

export async function receive(profile, { after, wait = 0, limit = 100 } = {}, url = profile.url) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (after !== undefined) query.set('after', String(after));
  if (wait) query.set('wait', String(wait));
  return call(profile, 'GET', `/v1/deliveries?${query}`, undefined, url);
}

export async function ack(profile, osn, url = profile.url) {
  return call(profile, 'POST', '/v1/deliveries/ack', { osn }, url);
}

// The BICFI of the AppHdr's From: the sender the signed bytes name (ISO 20022 only).
export function headerSender(xml) {
  const header = /<(?:\w+:)?AppHdr[\s>][\s\S]*?<\/(?:\w+:)?AppHdr>/.exec(xml);
  const from = header && /<(?:\w+:)?Fr>[\s\S]*?<(?:\w+:)?BICFI>([A-Z0-9]+)<\//.exec(header[0]);
  return from ? from[1] : null;
}

// Either form the network carries: a detached unencoded JWS (ES256), or base64 DER ECDSA.
export function verifyMessageSignature(cert, payload, signature) {
  const jws = /^([A-Za-z0-9_-]+)\.\.([A-Za-z0-9_-]{86})$/.exec(signature);
  if (!jws) {
    return verify('sha256', payload, cert.publicKey, Buffer.from(signature, 'base64'));
  }
  let header;
  try { header = JSON.parse(Buffer.from(jws[1], 'base64url').toString('utf8')); } catch { return false; }
  const known = new Set(['alg', 'b64', 'crit', 'kid', 'typ']);
  if (!header || Object.keys(header).some((k) => !known.has(k))) return false;
  if (header.alg !== 'ES256' || header.b64 !== false) return false;
  if (JSON.stringify(header.crit) !== '["b64"]') return false;
  const input = Buffer.concat([Buffer.from(`${jws[1]}.`, 'ascii'), payload]);
  return verify('sha256', input, { key: cert.publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(jws[2], 'base64url'));
}

// Check a delivered message without trusting the node: the sender's certificate is
// issued by our CA and valid now, the signature holds over the exact bytes, and the
// certificate's BIC, the AppHdr sender and the delivered sender are one institution.
export function verifyDelivered(profile, delivered, now = new Date()) {
  const cert = new X509Certificate(delivered.sender_certificate);
  if (!cert.checkIssued(profile.ca) || !cert.verify(profile.ca.publicKey)) return false;
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return false;
  const payload = Buffer.from(delivered.payload, 'base64');
  if (!verifyMessageSignature(cert, payload, delivered.signature)) return false;
  const cn = /(?:^|\n)CN=([A-Z0-9]{11})(?:\n|$)/.exec(cert.subject);
  const named = headerSender(payload.toString('utf8'));
  if (!cn || !named) return false;
  const bic8 = (bic) => bic.slice(0, 8);
  return bic8(cn[1]) === bic8(named) && bic8(named) === bic8(delivered.sender);
}
