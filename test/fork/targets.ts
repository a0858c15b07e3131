/**
 * What the fork suite forks, and the rehearsal's fork source.
 *
 * - Live targets (`npm run test:fork`, FORK_SUITE=live): the chains whose RPC URL is set (MAINNET_RPC_URL,
 *   ARBITRUM_RPC_URL), each at FORK_BLOCK or its pinned default (scripts/lib/deploy/forks.ts). Their addresses come from
 *   the published books through scripts/lib/deploy/addresses.ts.
 * - Rehearsal (inside `npm test`): a `hardhat node` started on a free loopback port, the local Aave V3 + Uniswap V3
 *   market deployed there over JSON-RPC, and its addresses registered in scripts/lib/deploy/addresses.ts for the node's
 *   chain id, so that the suite reads them exactly as it reads mainnet's.
 *
 * Either way the suite then forks the source in-process (`hardhat_reset` with `forking`) at the pinned block and
 * runs unchanged; afterwards it resets the in-process network to a plain local chain.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { freeLoopbackPort } from "../shared/net";
import path from "node:path";
import hre from "hardhat";
import { reset } from "@nomicfoundation/hardhat-network-helpers";
import { HttpProvider } from "hardhat/internal/core/providers/http";
import * as helpers from "@nomicfoundation/hardhat-ethers/internal/helpers";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import type { EthereumProvider, HardhatRuntimeEnvironment } from "hardhat/types";
import { registerChainAddresses, unregisterChainAddresses } from "../../scripts/lib/deploy/addresses";
import { forkBlock } from "../../scripts/lib/deploy/forks";
import { deployMarket, type Ethers, type Market } from "../../scripts/lib/market/market";
import { localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";

export interface ForkTarget {
  /** "mainnet", "arbitrum", or "rehearsal" (a local `hardhat node`). */
  name: string;
  url: string;
  chainId: number;
  blockNumber: number;
  rehearsal: boolean;
}

/** The live chains the suite can fork, with the variable that enables each. */
export const LIVE_CHAINS = [
  { name: "mainnet", variable: "MAINNET_RPC_URL" },
  { name: "arbitrum", variable: "ARBITRUM_RPC_URL" },
] as const;

/** True when the suite runs against live chains (npm run test:fork), false for the rehearsal. */
export const liveRun = () => process.env.FORK_SUITE === "live";

/** One JSON-RPC request over HTTP (no Hardhat provider: used before anything is forked). */
export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  let body: { result?: T; error?: { message: string } };
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(20_000),
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new Error(`${method} on ${url} failed: ${cause}`);
  }
  if (body.error) throw new Error(`${method} on ${url}: ${body.error.message}`);
  return body.result as T;
}

/** The live targets whose RPC URL is set; the chain id is asked of the endpoint. */
export async function liveTargets(): Promise<ForkTarget[]> {
  const targets: ForkTarget[] = [];
  for (const { name, variable } of LIVE_CHAINS) {
    const url = process.env[variable];
    if (!url) continue;
    const chainId = Number(await rpc<string>(url, "eth_chainId"));
    targets.push({ name, url, chainId, blockNumber: forkBlock(name)!, rehearsal: false });
  }
  return targets;
}

/**
 * Forks `target` in-process at its block (clears loadFixture snapshots), then mines one block: a call on the fork
 * block itself executes under the source chain's hardfork history, which Hardhat 2.29.1 knows for mainnet but not
 * for chain 31337 (the `chains` entry in hardhat.config.ts does not reach EDR in that version: it sends `hardforks`
 * where EDR reads `hardforkActivationOverrides`). Blocks mined after the fork use the configured hardfork.
 */
export async function forkInProcess(target: ForkTarget): Promise<void> {
  await reset(target.url, target.blockNumber);
  await hre.network.provider.request({ method: "evm_mine", params: [] });
}

/** Back to a plain local in-process chain, as the other test files expect. */
export async function unfork(): Promise<void> {
  await reset();
}

// ---------------------------------------------------------------------------------------------------------------
// Rehearsal source: a `hardhat node` child process holding the local market.

export interface RehearsalSource {
  target: ForkTarget;
  /** The local market as deployed on the node (contracts bound to the node, not to the fork). */
  market: Market;
  /** Stops the node and unregisters its addresses; safe to call twice. */
  stop(): Promise<void>;
}


const STARTED = /Started HTTP and WebSocket JSON-RPC server at (http:\/\/\S+?)\/?\s/;
const START_TIMEOUT_MS = 60_000;

/**
 * Starts `hardhat node` on a free loopback port (its own process group, so that stopping it stops everything it
 * runs) and resolves once it listens; rejects with the end of its output if it exits or does not start in time.
 * Its output is drained all along: the node logs every request and would block on a full pipe.
 */
export async function startHardhatNode(
  opts: { port?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const port = opts.port ?? (await freeLoopbackPort());
  const cli = require.resolve("hardhat/internal/cli/bootstrap");
  const env = { ...process.env };
  // The node is a plain local chain whatever the caller's environment says.
  delete env.FORK;
  delete env.HARDHAT_NETWORK;
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: path.join(__dirname, "..", ".."),
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  opts.onSpawn?.(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);

  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    const killed = await Promise.race([exit.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
    if (!killed && !exited) process.kill(-child.pid!, "SIGKILL");
    await exit;
  };
  // A test run that dies on an exception must not leave the node behind.
  const onExit = () => {
    if (!exited) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
  };
  process.once("exit", onExit);
  child.once("exit", () => process.removeListener("exit", onExit));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`hardhat node did not start within ${START_TIMEOUT_MS / 1000} s on port ${port}:\n${output}`));
    }, START_TIMEOUT_MS);
    const watch = () => {
      const match = STARTED.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", watch);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", watch);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`hardhat node exited (${signal ?? code}) before listening on port ${port}:\n${output}`));
    });
  });
  return { url, child, stop };
}

/**
 * hardhat-ethers bound to another JSON-RPC endpoint: the same helpers as `hre.ethers` (signers are the endpoint's
 * unlocked accounts, artifacts are this project's), so the market deployment code runs unchanged against the node.
 */
export function ethersAt(url: string): Ethers {
  const http = new HttpProvider(url, "rehearsal-source");
  const provider = Object.assign(Object.create(http) as EthereumProvider, {
    send: (method: string, params?: unknown[]) => http.request({ method, params }),
  });
  const fakeHre = { artifacts: hre.artifacts } as unknown as HardhatRuntimeEnvironment & { ethers: Ethers };
  fakeHre.ethers = {
    ...hre.ethers,
    provider: new HardhatEthersProvider(provider, "rehearsal-source"),
    getSigner: (address: string) => helpers.getSigner(fakeHre, address),
    getSigners: () => helpers.getSigners(fakeHre),
    getContractFactory: helpers.getContractFactory.bind(null, fakeHre),
    getContractFactoryFromArtifact: (...args: [never, never]) => helpers.getContractFactoryFromArtifact(fakeHre, ...args),
    getContractAt: (...args: [never, never, never]) => helpers.getContractAt(fakeHre, ...args),
  } as unknown as Ethers;
  return fakeHre.ethers;
}

/**
 * The rehearsal's fork source: a `hardhat node` with the local market, its addresses registered for its chain id.
 * Any failure stops the node and rejects (the caller's test fails: a rehearsal that cannot start is not skipped).
 */
export async function startRehearsalSource(): Promise<RehearsalSource> {
  const node = await startHardhatNode();
  try {
    const ethers = ethersAt(node.url);
    const market = await deployMarket(ethers);
    const chainId = Number(await rpc<string>(node.url, "eth_chainId"));
    const blockNumber = Number(await rpc<string>(node.url, "eth_blockNumber"));
    registerChainAddresses(chainId, { markets: localMarketAddresses(market), oracle: localOracleConfig(market) as never });
    return {
      target: { name: "rehearsal", url: node.url, chainId, blockNumber, rehearsal: true },
      market,
      stop: async () => {
        unregisterChainAddresses(chainId);
        await node.stop();
      },
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}
