#!/usr/bin/env node
// node clients/node/cli.mjs send PROFILE_DIR FILE...      one JSON result per message
// node clients/node/cli.mjs receive PROFILE_DIR [--wait S] each message as a JSON line
//   (osn, sender, id, verified); every verified message is acknowledged; exit 3 if any
//   message failed verification (it is then not acknowledged).
// FINMESH_URL overrides the profile's node URL; FINMESH_PASSPHRASE unlocks an encrypted key.
import { readFileSync } from 'node:fs';
import { ack, loadProfile, receive, send, verifyDelivered } from './finmesh.mjs';

const [command, folder, ...rest] = process.argv.slice(2);
if (!command || !folder) {
  console.error('usage: cli.mjs send PROFILE FILE... | receive PROFILE [--wait S]');
  process.exit(2);
}
const profile = loadProfile(folder);
const url = process.env.FINMESH_URL || profile.url;

async function main() {
  if (command === 'send') {
    const results = await send(profile, rest.map((f) => readFileSync(f)), url);
    for (const result of results) console.log(JSON.stringify(result));
    return results.every((r) => r.status === 'ACK') ? 0 : 1;
  }
  if (command === 'receive') {
    const wait = rest[0] === '--wait' ? Number(rest[1]) : 0;
    const page = await receive(profile, { wait }, url);
    let last = null;
    let refused = false;
    for (const message of page.messages) {
      const verified = verifyDelivered(profile, message);
      console.log(JSON.stringify({ osn: message.osn, sender: message.sender, id: message.id, verified }));
      if (!verified) { refused = true; break; }  // never acknowledge past a forgery
      last = message.osn;
    }
    if (last !== null) console.log(JSON.stringify({ acked: (await ack(profile, last, url)).acked }));
    return refused ? 3 : 0;
  }
  console.error(`unknown command ${command}`);
  return 2;
}

main().then((code) => process.exit(code), (error) => {
  console.error(`error: ${error.code ?? 'failed'}: ${error.message}`);
  process.exit(1);
});
