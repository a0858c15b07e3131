/**
 * The keeper-scale benchmark's world (scripts/bench-keepers.ts): the local market, `count` vaults created through
 * the factory (2x; every 20th with a stop-loss at 1,900), a 1 WETH deposit (levered to 2x) in every 10th, then
 * ETH/USD at 1,850 (feed and pools), so that exactly the funded vaults with a stop-loss have an active trigger.
 */
import { performance } from "node:perf_hooks";
import { MaxUint256, parseEther } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ILeveredVault } from "../../../typechain-types";
import { deployMarket, type Market } from "../market/market";
import { fund, setMarketPrice } from "../market/market-helpers";
import { defaultSettings } from "../deploy/vault";
import { createVaults, deployFleet, type Fleet } from "../deploy/vault-fleet";

export const SCENARIO = {
  fundedEvery: 10,
  stopEvery: 20, // funded vaults with a stop-loss (20 is a multiple of 10)
  stopPrice: 1900,
  crashPrice: 1850,
  deposit: parseEther("1"),
} as const;

/** Whole milliseconds since `since` (a performance.now() reading). */
export const elapsed = (since: number) => Math.round(performance.now() - since);

export interface World {
  market: Market;
  fleet: Fleet;
  /** The registry's address. */
  registry: string;
  /** Vault addresses, in registry order. */
  vaults: string[];
  /** Indexes (into `vaults`) of the vaults that received a deposit. */
  funded: number[];
  /** The vaults that must report a stop-loss after the crash, in registry order. */
  expected: string[];
  /** Deployment is not part of the scan timing, but is measured and reported. */
  timings: { marketMs: number; vaultsMs: number; depositsMs: number };
}

/** Builds the scenario with `count` vaults and moves the price so that every `stopEvery`th vault must stop out. */
export async function buildWorld(hre: HardhatRuntimeEnvironment, count: number): Promise<World> {
  const started = performance.now();
  const market = await deployMarket(hre.ethers);
  const fleet = await deployFleet(hre.ethers, market);
  const marketMs = elapsed(started);
  const { vaults, vaultsMs } = await createScenarioVaults(hre, fleet, count);
  const { funded, depositsMs } = await depositIntoFundedVaults(hre, market, vaults);
  await setMarketPrice(market, SCENARIO.crashPrice);
  const expected = vaults.filter((_, i) => i % SCENARIO.stopEvery === 0);
  const registry = fleet.registry.target as string;
  return { market, fleet, registry, vaults, funded, expected, timings: { marketMs, vaultsMs, depositsMs } };
}

async function createScenarioVaults(hre: HardhatRuntimeEnvironment, fleet: Fleet, count: number) {
  const t = performance.now();
  const vaults = await createVaults(hre.ethers, fleet, count, (i) => ({
    ...defaultSettings(2),
    name: `Levered WETH 2x #${i}`,
    symbol: `lvWETH2x-${i}`,
    stopLossPrice: i % SCENARIO.stopEvery === 0 ? SCENARIO.stopPrice : 0,
  }));
  const vaultsMs = elapsed(t);
  console.log(`${count} vaults created through the factory in ${(vaultsMs / 1000).toFixed(1)} s`);
  return { vaults, vaultsMs };
}

/** Deposits into every `fundedEvery`th vault, re-arbitraging the pools now and then (each deposit trades in them). */
async function depositIntoFundedVaults(hre: HardhatRuntimeEnvironment, market: Market, vaults: string[]) {
  const t = performance.now();
  const [depositor] = market.users;
  const funded = vaults.map((_, i) => i).filter((i) => i % SCENARIO.fundedEvery === 0);
  await fund(market, depositor.address, { weth: SCENARIO.deposit * BigInt(funded.length) });
  for (const [n, i] of funded.entries()) {
    const vault = (await hre.ethers.getContractAt("ILeveredVault", vaults[i], depositor)) as unknown as ILeveredVault;
    await (await market.weth.connect(depositor).getFunction("approve")(vault.target, MaxUint256)).wait();
    await (await vault["deposit(uint256,address)"](SCENARIO.deposit, depositor.address)).wait();
    if (n % 25 === 24) await setMarketPrice(market, 2000);
  }
  const depositsMs = elapsed(t);
  console.log(`${funded.length} deposits of 1 WETH (levered to 2x) in ${(depositsMs / 1000).toFixed(1)} s`);
  return { funded, depositsMs };
}
