import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, NetworkUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-toolbox";
import "dotenv/config";
import "./tasks/vault";
import "./tasks/market";
import { UserError } from "./tasks/cli";

const SOLC_VERSION = "0.8.28";

// Compile with the `solc` npm package (soljson.js): these machines and CI cannot download compilers.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  const solcPackage = require("solc/package.json") as { version: string };
  if (solcPackage.version !== SOLC_VERSION) {
    throw new Error(`npm package solc is ${solcPackage.version}, config pins ${SOLC_VERSION}: run npm ci`);
  }
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: `${SOLC_VERSION}+commit.7893614a` };
});

/** The network named on the command line (`--network x`, `--network=x`) or by HARDHAT_NETWORK. */
function selectedNetwork(): string | undefined {
  const index = process.argv.indexOf("--network");
  if (index !== -1) return process.argv[index + 1];
  const inline = process.argv.find((arg) => arg.startsWith("--network="));
  return inline ? inline.slice("--network=".length) : process.env.HARDHAT_NETWORK;
}

/**
 * A live network exists when its RPC URL is set. Its settings are checked only when it is the one selected, so the
 * demo and the tests never need a .env; selecting it without its URL stops with a message naming the variable.
 */
function liveNetwork(name: string, chainId: number): NetworkUserConfig | undefined {
  const variable = `${name.toUpperCase()}_RPC_URL`;
  const url = process.env[variable];
  const selected = selectedNetwork() === name;
  if (!url) {
    // A UserError: one line, no "unexpected error" banner and no stack trace (also where Hardhat assumes CI).
    if (selected) throw new UserError(`--network ${name} needs ${variable}: set it in .env (see .env.example)`);
    return undefined;
  }
  const key = process.env.DEPLOYER_PRIVATE_KEY;
  if (selected && !key) console.warn(`DEPLOYER_PRIVATE_KEY is not set: --network ${name} has no signer (read-only)`);
  return { url, chainId, accounts: key ? [key] : [] };
}

const LIVE_NETWORKS: Record<string, number> = { mainnet: 1, arbitrum: 42161, base: 8453, optimism: 10, sepolia: 11155111 };
// The in-process network forks mainnet at a pinned block when MAINNET_RPC_URL is set (FORK=false turns it off).
const forkUrl = process.env.FORK === "false" ? undefined : process.env.MAINNET_RPC_URL;
const networks: Record<string, NetworkUserConfig> = {
  hardhat: {
    forking: forkUrl ? { url: forkUrl, blockNumber: Number(process.env.FORK_BLOCK ?? 21_000_000) } : undefined,
  },
  localhost: { url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
};
for (const [name, chainId] of Object.entries(LIVE_NETWORKS)) {
  const network = liveNetwork(name, chainId);
  if (network) networks[name] = network;
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, viaIR: true, evmVersion: "cancun" },
  },
  defaultNetwork: "hardhat",
  networks,
  etherscan: {
    apiKey: process.env.ETHERSCAN_API_KEY ?? "",
  },
  sourcify: { enabled: false },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
    outputFile: process.env.REPORT_GAS_FILE,
    noColors: !!process.env.REPORT_GAS_FILE,
  },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  mocha: { timeout: 300_000 },
};

export default config;
