/**
 * `npm run test:fork`: the fork suite (test/fork) against live chains. Needs MAINNET_RPC_URL (ARBITRUM_RPC_URL adds
 * the L2 run), from the environment or .env; FORK_BLOCK overrides the pinned block (scripts/lib/deploy/forks.ts).
 * Without an endpoint it says so in one line and exits non-zero: it never passes without having run.
 * Extra arguments go to `hardhat test` (e.g. `npm run test:fork -- --bail`).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import dotenv from "dotenv";

dotenv.config({ quiet: true });

const variables = ["MAINNET_RPC_URL", "ARBITRUM_RPC_URL"].filter((name) => process.env[name]?.trim());
if (variables.length === 0) {
  console.error("npm run test:fork needs MAINNET_RPC_URL (an Ethereum mainnet JSON-RPC endpoint) in the environment or .env");
  process.exit(1);
}

const root = path.join(__dirname, "..");
const env: NodeJS.ProcessEnv = { ...process.env, FORK_SUITE: "live" };
// The suite forks each chain itself, in-process: the config-level fork (FORK=<network>) must stay off.
delete env.FORK;
const result = spawnSync(
  process.execPath,
  [require.resolve("hardhat/internal/cli/bootstrap"), "test", path.join("test", "fork", "lifecycle.test.ts"), ...process.argv.slice(2)],
  { cwd: root, env, stdio: "inherit" },
);
process.exit(result.status ?? 1);
