// Resolves credentials with the AWS SDK for JavaScript v3's default Node.js chain
// (fromNodeProviderChain) and prints {"AccessKeyId", "Expiration", "HasSecret", "HasToken"} on
// stdout — never a secret.
// The SDK is loaded from $CHANTLESS_NPM_DIR/node_modules (./dev setup installs it there); used by
// interop/interop_test.py against `chantless serve`.
import { createRequire } from 'node:module';
import path from 'node:path';

const npmDir = process.env.CHANTLESS_NPM_DIR;
if (!npmDir) {
  console.error('CHANTLESS_NPM_DIR is not set');
  process.exit(2);
}
const require = createRequire(path.join(npmDir, 'node_modules', 'noop.js'));
const { fromNodeProviderChain } = require('@aws-sdk/credential-providers');

try {
  const provider = fromNodeProviderChain();
  const creds = await provider();
  console.log(JSON.stringify({ AccessKeyId: creds.accessKeyId,
                               Expiration: creds.expiration ? creds.expiration.toISOString() : null,
                               HasSecret: Boolean(creds.secretAccessKey),
                               HasToken: Boolean(creds.sessionToken) }));
} catch (e) {
  console.error(`fromNodeProviderChain failed: ${e && e.name}: ${e && e.message}`);
  process.exit(1);
}
