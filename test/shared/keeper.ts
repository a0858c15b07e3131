/**
 * Keeper-side helpers: worlds with a funded, levered vault, and a keeper loop that acts the way the bot does
 * (ask `trigger()`, call `rebalance()` while an action is due).
 */
import { parseEther } from "ethers";
import type { ILeveredVault } from "../../typechain-types";
import type { Market } from "./market";
import { PRESET_3X_FIXED, vaultWorld, type VaultSettings, type VaultWorld } from "./vault";

export const Action = {
  None: 0n,
  DeleverBand: 1n,
  ReleverBand: 2n,
  DeleverHealth: 3n,
  StopLoss: 4n,
  TrailingStop: 5n,
  TakeProfit: 6n,
  Ripcord: 7n,
  Poke: 8n,
  OutageDelever: 9n,
} as const;

export const Mode = { Active: 0n, StoppedOut: 1n, ProfitTaken: 2n } as const;

export interface KeeperWorld extends VaultWorld {
  deposited: bigint;
}

/** A vault with `deposit` WETH from alice, levered to target. */
export async function keeperWorld(settings: Partial<VaultSettings>, deposit = parseEther("100")): Promise<KeeperWorld> {
  const world = await vaultWorld(settings);
  await (await world.vault.connect(world.alice)["deposit(uint256,address)"](deposit, world.alice.address)).wait();
  return { ...world, deposited: deposit };
}

export const keeper3x = () => keeperWorld(PRESET_3X_FIXED);
export const keeper3xStop = () => keeperWorld({ ...PRESET_3X_FIXED, stopLossPrice: 1500 });

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

/**
 * Bisects the feed answer (8 decimals) between `fires` (the action is due there) and `quiet` (it is not) down to
 * adjacent answers, one tick (1e-8 USD) apart. At every probe it asserts that `trigger()` reports `action`
 * exactly when `condition(position)` holds, both read on the same block: interest accrues every block, so a
 * leverage or health-factor threshold is only exact against the state it was read on. Returns the last answer
 * that fires; its neighbour toward `quiet` did not.
 */
export async function findTriggerBoundary(
  vault: ILeveredVault,
  market: Market,
  action: bigint,
  fires: bigint,
  quiet: bigint,
  condition: (position: Awaited<ReturnType<ILeveredVault["position"]>>) => boolean,
): Promise<bigint> {
  const firesAt = async (answer: bigint) => {
    await setFeed(market, answer);
    const due = (await vault.trigger()).action === action;
    if (due !== condition(await vault.position())) throw new Error(`trigger and condition disagree at ${answer}`);
    return due;
  };
  if (!(await firesAt(fires)) || (await firesAt(quiet))) throw new Error("boundary not bracketed");
  while (fires - quiet > 1n || quiet - fires > 1n) {
    const mid = (fires + quiet) / 2n;
    if (await firesAt(mid)) fires = mid;
    else quiet = mid;
  }
  return fires;
}
