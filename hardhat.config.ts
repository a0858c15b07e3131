import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, NetworkUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-toolbox";
import "dotenv/config";
import "./tasks/vault";

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

/// A live network is configured only when its RPC URL is set; using it without a key fails with a clear message.
function liveNetwork(name: string, chainId: number): NetworkUserConfig | undefined {
  const url = process.env[`${name.toUpperCase()}_RPC_URL`];
  if (!url) return undefined;
  const key = process.env.DEPLOYER_PRIVATE_KEY;
  return { url, chainId, accounts: key ? [key] : [] };
}

const LIVE_NETWORKS: Record<string, number> = { mainnet: 1, arbitrum: 42161, base: 8453, optimism: 10, sepolia: 11155111 };
const networks: Record<string, NetworkUserConfig> = {
  hardhat: {
    // Pinned block so a fork is reproducible; only used when MAINNET_RPC_URL is set.
    forking: process.env.MAINNET_RPC_URL
      ? { url: process.env.MAINNET_RPC_URL, blockNumber: Number(process.env.FORK_BLOCK ?? 21_000_000) }
      : undefined,
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
