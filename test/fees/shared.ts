/**
 * Fee and keeper-pay helpers (issue 21): worlds with fees or keeper pay switched on through the timelock, as an
 * operator would (raising waits, `acceptPending` lets it pass).
 */
import { parseEther, parseUnits } from "ethers";
import type { ILeveredVault } from "../../typechain-types";
import { acceptPending } from "../shared/timelock";
import type { Market } from "../shared/market";
import { keeperWorld, type KeeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";

export const YEAR = 365n * 24n * 3600n;

/** Sets the fee recipient (at once) and raises the fees through the timelock. */
export async function switchFeesOn(vault: ILeveredVault, market: Market, recipient: string, managementBps: number, performanceBps: number) {
  await (await vault.setFeeRecipient(recipient)).wait();
  await (await vault.setFees(managementBps, performanceBps)).wait();
  await acceptPending(vault, market);
}

/** Keeper pay: 1.2x the gas, gas price counted up to 200 gwei, in WETH (the collateral is the gas token here). */
export const PAY = {
  multiplierBps: 12_000,
  gasTokenIsDebt: false,
  maxGasPrice: parseUnits("200", "gwei"),
  maxPerAction: parseEther("0.05"),
  maxPerDay: parseEther("1"),
};

export async function switchPayOn(vault: ILeveredVault, market: Market, pay: Partial<typeof PAY> = {}) {
  await (await vault.setKeeperPayConfig({ ...PAY, ...pay })).wait();
  await acceptPending(vault, market);
}

/** A 3x vault with 100 WETH from alice, fees 2 %/yr and 20 % to `carol` (the fee recipient). */
export async function feeWorld(): Promise<KeeperWorld> {
  const world = await keeperWorld(PRESET_3X_FIXED);
  await switchFeesOn(world.vault, world.market, world.carol.address, 200, 2000);
  return world;
}

/** The same vault, performance fee only. */
export async function performanceWorld(): Promise<KeeperWorld> {
  const world = await keeperWorld(PRESET_3X_FIXED);
  await switchFeesOn(world.vault, world.market, world.carol.address, 0, 2000);
  return world;
}

/** The same vault, management fee only. */
export async function managementWorld(): Promise<KeeperWorld> {
  const world = await keeperWorld(PRESET_3X_FIXED);
  await switchFeesOn(world.vault, world.market, world.carol.address, 200, 0);
  return world;
}

/** Value (assets) of `holder`'s shares at the vault's own conversion. */
export async function worth(vault: ILeveredVault, holder: string): Promise<bigint> {
  return vault.convertToAssets(await vault.balanceOf(holder));
}
