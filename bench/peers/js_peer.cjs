// Times the AWS SDK for JavaScript v3's cold credential resolution in-process (node start-up and
// module loading excluded): a new fromNodeProviderChain() per run, timed until it resolves.
//
// Usage: node js_peer.cjs NPM_DIR RUNS — NPM_DIR holds node_modules/@aws-sdk/credential-providers
// (./dev setup installs it). The endpoint or role profile comes from the environment, set by
// peers.py (the STS client's CA through NODE_EXTRA_CA_CERTS, read at node start-up). Prints one
// JSON line like botocore_peer.py; no credential value is printed.
const path = require("path");
const { createRequire } = require("module");

async function main() {
  const [npmDir, runsText] = process.argv.slice(2);
  const req = createRequire(path.join(npmDir, "package.json"));
  const { fromNodeProviderChain } = req("@aws-sdk/credential-providers");
  let version = "?";
  try {
    version = req("@aws-sdk/credential-providers/package.json").version;
  } catch (e) {}
  const runs = Number(runsText);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const provider = fromNodeProviderChain();
    const start = process.hrtime.bigint();
    const credentials = await provider();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!credentials.accessKeyId) throw new Error("no credentials");
  }
  console.log(JSON.stringify({ client: "aws-sdk-js-v3 " + version, runs, times_ms: times }));
}

main().catch((e) => {
  console.log(JSON.stringify({ client: "aws-sdk-js-v3", error: String(e && e.message) }));
  process.exit(1);
});
