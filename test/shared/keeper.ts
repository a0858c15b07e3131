/**
 * Keeper-side helpers: worlds with a funded, levered vault, and a keeper loop that acts the way the bot does
 * (ask `trigger()`, call `rebalance()` while an action is due).
 */
import { parseEther } from "ethers";
import type { ILeveredVault } from "../../typechain-types";
import type { Market } from "./market";
import { vaultWorld, type VaultSettings, type VaultWorld } from "./vault";

export const Action = {
  None: 0n,
  DeleverBand: 1n,
  ReleverBand: 2n,
  DeleverHealth: 3n,
  StopLoss: 4n,
  TrailingStop: 5n,
  TakeProfit: 6n,
  Ripcord: 7n,
} as const;

export const Mode = { Active: 0n, StoppedOut: 1n, ProfitTaken: 2n } as const;

export interface KeeperWorld extends VaultWorld {
  deposited: bigint;
}

/** A vault with `deposit` WETH from alice, levered to target. */
export async function keeperWorld(settings: Partial<VaultSettings>, deposit = parseEther("100")): Promise<KeeperWorld> {
  const world = await vaultWorld(settings);
  await (await world.vault.connect(world.alice).deposit(deposit, world.alice.address)).wait();
  return { ...world, deposited: deposit };
}

export const keeper3x = () =>
  keeperWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 3.3, minHealthFactor: 1.15, criticalHealthFactor: 1.08 });
export const keeper3xStop = () =>
  keeperWorld({
    targetLeverage: 3,
    minLeverage: 2.7,
    maxLeverage: 3.3,
    minHealthFactor: 1.15,
    criticalHealthFactor: 1.08,
    stopLossPrice: 1500,
  });

/** Calls `rebalance()` while `trigger()` reports an action, at most `maxCalls` times; returns the actions run. */
export async function runKeeper(vault: ILeveredVault, keeper: Market["deployer"], maxCalls = 10): Promise<bigint[]> {
  const actions: bigint[] = [];
  for (let i = 0; i < maxCalls; i++) {
    const { needed, action } = await vault.trigger();
    if (!needed) break;
    await (await vault.connect(keeper).rebalance()).wait();
    actions.push(action);
  }
  return actions;
}

/** Health factor as Aave itself computes it (wad). */
export async function aaveHealthFactor(market: Market, account: string): Promise<bigint> {
  const data = await market.pool.getUserAccountData(account);
  return data.healthFactor;
}

/** Moves only the ETH/USD feed (8 decimals), leaving the pools where they are. */
export async function setFeed(market: Market, answerE8: bigint): Promise<void> {
  await (await market.ethUsdFeed.setAnswer(answerE8)).wait();
}
