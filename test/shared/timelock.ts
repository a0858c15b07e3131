/**
 * Loosening parameter changes wait out the vault's timelock (IVaultManagement). Tests that set a scenario up with
 * a looser parameter submit it, then `acceptPending` lets the timelock pass (feeds re-stamped) and accepts every
 * pending change, as anyone may.
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ILeveredVault } from "../../typechain-types";
import { refreshFeeds } from "./market-helpers";
import type { Market } from "./market";

/** IVaultManagement.ChangeKind */
export const ChangeKind = {
  Leverage: 0,
  Execution: 1,
  Automation: 2,
  Exit: 3,
  Timelock: 4,
  Rearm: 5,
  Volatility: 6,
  Guardian: 7,
  Fees: 8,
  KeeperPay: 9,
  Outage: 10,
  Venue: 11,
} as const;

/** Pending changes as [kind, validAt] (validAt in s). */
export async function pendingChanges(vault: ILeveredVault): Promise<[number, bigint][]> {
  const out: [number, bigint][] = [];
  for (const kind of Object.values(ChangeKind)) {
    const [, validAt] = await vault.pendingChange(kind);
    if (validAt !== 0n) out.push([kind, validAt]);
  }
  return out;
}

/** Advances to the latest `validAt` of the pending changes, re-stamps the feeds and accepts them all. */
export async function acceptPending(vault: ILeveredVault, market: Market): Promise<number> {
  const pending = await pendingChanges(vault);
  if (pending.length === 0) return 0;
  const validAt = pending.reduce((max, [, at]) => (at > max ? at : max), 0n);
  if (BigInt(await time.latest()) < validAt) await time.increaseTo(validAt);
  await refreshFeeds(market);
  for (const [kind] of pending) await (await vault.acceptChange(kind)).wait();
  return pending.length;
}
