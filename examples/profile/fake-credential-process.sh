#!/bin/sh
# A fake credential_process for chantless's examples: prints process-format credentials (all fake)
# that expire in one hour, as `aws configure export-credentials --format process` would.
# Arguments are accepted and ignored (the example passes `--role demo`).
expiration=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ 2>/dev/null ||
             date -u -v+1H +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE", '
printf '"SecretAccessKey": "processSecretAccessKeyEXAMPLEKEY", '
printf '"SessionToken": "processSessionTokenEXAMPLE", "Expiration": "%s"}\n' "$expiration"
