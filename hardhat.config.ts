import path from "node:path";
import { inspect } from "node:util";
import { HardhatError } from "hardhat/internal/core/errors";
import { Wallet } from "ethers";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_COMPILE_SOLIDITY_RUN_SOLCJS } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, NetworkUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-toolbox";
import "dotenv/config";
import "./tasks/vault";
import "./tasks/keeper";
import "./tasks/governance";
import { forkBlock } from "./scripts/lib/deploy/forks";
import "./tasks/market";
import { UserError } from "./tasks/cli";

const SOLC_VERSION = "0.8.28";
/** Morpho Blue 1.0.0 pins 0.8.19; compiled from its npm package with the `solc-0.8.19` alias of the solc package. */
const MORPHO_SOLC_VERSION = "0.8.19";
const MORPHO_SOLC = { version: MORPHO_SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 999_999 }, viaIR: true, evmVersion: "paris" } };
/** The solc npm package (soljson.js) and long version of each compiler this project uses. */
const SOLC_BUILDS: Record<string, { pkg: string; longVersion: string }> = {
  [SOLC_VERSION]: { pkg: "solc", longVersion: `${SOLC_VERSION}+commit.7893614a` },
  [MORPHO_SOLC_VERSION]: { pkg: "solc-0.8.19", longVersion: `${MORPHO_SOLC_VERSION}+commit.7dd6d404` },
};
const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 200 }, viaIR: true, evmVersion: "cancun" };

// Hardhat's own usage errors (HH306 a missing task option, HH100 an unknown --network, HH108 a node that does not
// answer, HH101 a node on another chain) print as their one-line message: no stack trace, also where Hardhat shows
// stacks by default (CI, headless Linux), unless --show-stack-traces is given. Same rule as tasks/cli.ts UserError.
const hardhatInspect = (HardhatError.prototype as unknown as Record<symbol, () => string>)[inspect.custom];
Object.defineProperty(HardhatError.prototype, inspect.custom, {
  configurable: true,
  value(this: HardhatError) {
    return process.argv.includes("--show-stack-traces") ? hardhatInspect.call(this) : "";
  },
});

/**
 * A private key from .env: 0x + 64 hex digits (or 64 hex digits). Malformed: a one-line error naming the variable when
 * `strict` (the selected network), else undefined (a network not in use must not stop the command with HH8).
 */
function privateKey(variable: string, strict: boolean): string | undefined {
  const key = process.env[variable]?.trim();
  if (!key) return undefined;
  try {
    return new Wallet(key).privateKey;
  } catch {
    if (strict) throw new UserError(`${variable} is not a private key (0x followed by 64 hex digits): check .env`);
    return undefined;
  }
}

// Compile with the `solc` npm package (soljson.js): these machines and CI cannot download compilers.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  const build = SOLC_BUILDS[args.solcVersion];
  if (!build) return runSuper(args);
  const solcPackage = require(`${build.pkg}/package.json`) as { version: string };
  if (solcPackage.version !== args.solcVersion) {
    throw new Error(`npm package ${build.pkg} is ${solcPackage.version}, config pins ${args.solcVersion}: run npm ci`);
  }
  const compilerPath = path.join(path.dirname(require.resolve(`${build.pkg}/package.json`)), "soljson.js");
  return { compilerPath, isSolcJs: true, version: args.solcVersion, longVersion: build.longVersion };
});

// solc-js is slow: a full build (the first after `npm ci`, or after a clean) takes 2-3 minutes on 2 cores. Say so while
// it happens instead of staying silent (stderr, so that JSON output on stdout stays clean).
subtask(TASK_COMPILE_SOLIDITY_RUN_SOLCJS, async (args: { input: { sources: object } }, _hre, runSuper) => {
  const files = Object.keys(args.input.sources).length;
  const started = Date.now();
  console.error(`Compiling ${files} Solidity files with solc-js (viaIR): a full build takes 2-3 minutes on 2 cores...`);
  const timer = setInterval(() => console.error(`  still compiling (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
  try {
    return await runSuper(args);
  } finally {
    clearInterval(timer);
    console.error(`  compiled in ${Math.round((Date.now() - started) / 1000)} s`);
  }
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
  const key = privateKey("DEPLOYER_PRIVATE_KEY", selected);
  privateKey("KEEPER_PRIVATE_KEY", selected);
  if (selected && !key) console.warn(`DEPLOYER_PRIVATE_KEY is not set: --network ${name} has no signer (read-only)`);
  return { url, chainId, accounts: key ? [key] : [] };
}

const LIVE_NETWORKS: Record<string, number> = { mainnet: 1, arbitrum: 42161, base: 8453, optimism: 10, sepolia: 11155111 };

/**
 * The in-process network forks a live chain only when asked: FORK=<network> (e.g. FORK=mainnet) with that network's
 * <NETWORK>_RPC_URL, at FORK_BLOCK (default above). Setting an RPC URL alone never forks anything. When active the
 * fork is announced on stderr with its block, for the commands that run on the in-process network, and the network
 * reports the forked chain's id, so that the deploy reads that chain's address book (not the local market's 31337).
 */
function inProcessFork(): { url: string; blockNumber: number; chainId: number } | undefined {
  const name = process.env.FORK?.trim().toLowerCase();
  if (!name || name === "false" || name === "0") return undefined;
  if (!(name in LIVE_NETWORKS)) throw new UserError(`FORK=${name}: expected one of ${Object.keys(LIVE_NETWORKS).join(", ")}`);
  const variable = `${name.toUpperCase()}_RPC_URL`;
  const url = process.env[variable];
  if (!url) throw new UserError(`FORK=${name} needs ${variable}: set it in .env (see .env.example)`);
  const blockNumber = forkBlock(name);
  if (blockNumber === undefined) throw new UserError(`FORK=${name} needs FORK_BLOCK (no pinned default for ${name})`);
  // Once per command: `hardhat run` loads this config again in the process that runs the script.
  if ((selectedNetwork() ?? "hardhat") === "hardhat" && process.env.FORK_ANNOUNCED !== "1") {
    console.warn(`In-process network: fork of ${name} at block ${blockNumber} (${variable}, FORK=${name})`);
    process.env.FORK_ANNOUNCED = "1";
  }
  return { url, blockNumber, chainId: LIVE_NETWORKS[name] };
}

const fork = inProcessFork();
const networks: Record<string, NetworkUserConfig> = {
  hardhat: {
    ...(fork && { chainId: fork.chainId, forking: { url: fork.url, blockNumber: fork.blockNumber } }),
    // Hardhat 2 executes calls on a forked chain's past blocks only for chains whose hardfork history it knows:
    // this entry is for the fork suite's rehearsal, which forks a local `hardhat node` (chain 31337, test/fork).
    // Hardhat 2.29.1 does not pass it on to EDR (field name mismatch), so the suite also mines a block after forking.
    chains: { 31337: { hardforkHistory: { osaka: 0 } } },
  },
  localhost: { url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
};
for (const [name, chainId] of Object.entries(LIVE_NETWORKS)) {
  const network = liveNetwork(name, chainId);
  if (network) networks[name] = network;
}

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: SOLC_SETTINGS }, MORPHO_SOLC],
    overrides: {
      // Governance only (setters, pending changes): optimised for size, its gas does not matter.
      "contracts/vault/AaveUniswapManagementModule.sol": {
        version: SOLC_VERSION,
        settings: { ...SOLC_SETTINGS, optimizer: { enabled: true, runs: 1 } },
      },
      "contracts/vault/MorphoUniswapManagementModule.sol": {
        version: SOLC_VERSION,
        settings: { ...SOLC_SETTINGS, optimizer: { enabled: true, runs: 1 } },
      },
    },
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
  mocha: { timeout: 300_000, reporter: "./test/support/spec-with-summary.js" },
};

export default config;
