/**
 * Small helpers for vault tests: deposits and exits that return what really changed, the position read from
 * the Aave Pool independently of the vault's own accounting, and predicates for `withArgs`.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { FlashCallbackSpoofer, VaultPreviewProbe } from "../../typechain-types";
import type { VaultWorld } from "./vault";
import { fund } from "./market-helpers";

export const WAD = 10n ** 18n;
export const BPS = 10_000n;
/** Vault shares have 6 more decimals than WETH (`_decimalsOffset`). */
export const SHARE_OFFSET = 10n ** 6n;

export const abs = (x: bigint) => (x < 0n ? -x : x);

/** `withArgs` predicate: |value - expected| <= tolerance (for values that move with per-second interest). */
export const near =
  (expected: bigint, tolerance: bigint) =>
  (value: bigint): boolean =>
    abs(value - expected) <= tolerance;

/** a / b as a float (both wad-like bigints). */
export const ratio = (a: bigint, b: bigint) => Number((a * WAD) / b) / 1e18;

/** What the vault holds on Aave (aWETH, variable USDC debt) and idle (WETH, USDC), raw units. */
export async function holdings(w: VaultWorld) {
  const { market, vault } = w;
  const [collateral, debt, idleWeth, idleUsdc] = await Promise.all([
    market.aWETH.balanceOf(vault.target) as Promise<bigint>,
    market.variableDebtUSDC.balanceOf(vault.target) as Promise<bigint>,
    market.weth.balanceOf(vault.target) as Promise<bigint>,
    market.usdc.balanceOf(vault.target) as Promise<bigint>,
  ]);
  return { collateral, debt, idleWeth, idleUsdc };
}

/** ETH/USD and USDC/USD feed answers (8 decimals). */
export async function feedPrices(w: VaultWorld) {
  const [eth, usdc] = await Promise.all([w.market.ethUsdFeed.latestAnswer(), w.market.usdcUsdFeed.latestAnswer()]);
  return { eth, usdc };
}

/**
 * totalAssets recomputed from the Pool's own state, not the vault's: (totalCollateralBase - totalDebtBase) of
 * `getUserAccountData(vault)` (USD, 8 decimals) divided by the ETH oracle price, plus idle WETH and idle USDC
 * valued at the oracle. In WETH wei.
 */
export async function independentTotalAssets(w: VaultWorld): Promise<bigint> {
  const { totalCollateralBase, totalDebtBase } = await w.market.pool.getUserAccountData(w.vault.target);
  const { eth, usdc } = await feedPrices(w);
  const { idleWeth, idleUsdc } = await holdings(w);
  return ((totalCollateralBase - totalDebtBase) * WAD) / eth + idleWeth + (idleUsdc * usdc * 10n ** 12n) / eth;
}

/**
 * Asserts totalAssets equals `independentTotalAssets`. The Pool floors each value to 1e-8 USD, so the two may
 * differ by two such units (collateral, debt) converted to WETH, plus the vault's own wei rounding.
 */
export async function expectNavMatchesPool(w: VaultWorld): Promise<bigint> {
  const [reported, independent, { eth }] = await Promise.all([
    w.vault.totalAssets(),
    independentTotalAssets(w),
    feedPrices(w),
  ]);
  const tolerance = (2n * WAD) / eth + 4n;
  expect(reported, `totalAssets ${reported} vs Pool ${independent}`).to.be.closeTo(independent, tolerance);
  return reported;
}

/** Leverage computed from the Pool's account data: collateral / (collateral - debt), float. */
export async function poolLeverage(w: VaultWorld): Promise<number> {
  const { totalCollateralBase, totalDebtBase } = await w.market.pool.getUserAccountData(w.vault.target);
  return Number(totalCollateralBase) / Number(totalCollateralBase - totalDebtBase);
}

/** totalAssets valued in USD at the ETH oracle (wad USD). */
export async function navUsd(w: VaultWorld): Promise<bigint> {
  const { eth } = await feedPrices(w);
  return ((await w.vault.totalAssets()) * eth) / 10n ** 8n;
}

/** Oracle NAV per whole share (shares have 24 decimals): WETH wei per 1e24 share units. */
export async function pricePerShare(w: VaultWorld): Promise<bigint> {
  const supply = await w.vault.totalSupply();
  return supply === 0n ? 0n : ((await w.vault.totalAssets()) * WAD * SHARE_OFFSET) / supply;
}

export interface Action {
  receipt: TransactionReceipt;
  /** Shares minted (deposit, mint) or burned (withdraw, redeem). */
  shares: bigint;
  /** WETH pulled (deposit, mint) or received (withdraw, redeem). */
  assets: bigint;
}

async function measure(
  w: VaultWorld,
  user: HardhatEthersSigner,
  send: () => Promise<ContractTransactionResponse>,
  record?: (tx: Promise<ContractTransactionResponse>) => Promise<TransactionReceipt>,
): Promise<Action> {
  const [weth0, shares0] = await Promise.all([
    w.market.weth.balanceOf(user.address) as Promise<bigint>,
    w.vault.balanceOf(user.address),
  ]);
  const receipt = record ? await record(send()) : (await (await send()).wait())!;
  const [weth1, shares1] = await Promise.all([
    w.market.weth.balanceOf(user.address) as Promise<bigint>,
    w.vault.balanceOf(user.address),
  ]);
  return { receipt, shares: abs(shares1 - shares0), assets: abs(weth1 - weth0) };
}

type Recorder = (tx: Promise<ContractTransactionResponse>) => Promise<TransactionReceipt>;

export const deposit = (w: VaultWorld, user: HardhatEthersSigner, assets: bigint, record?: Recorder) =>
  measure(w, user, () => w.vault.connect(user)["deposit(uint256,address)"](assets, user.address), record);

export const mint = (w: VaultWorld, user: HardhatEthersSigner, shares: bigint, record?: Recorder) =>
  measure(w, user, () => w.vault.connect(user)["mint(uint256,address)"](shares, user.address), record);

export const redeem = (w: VaultWorld, user: HardhatEthersSigner, shares: bigint, record?: Recorder) =>
  measure(w, user, () => w.vault.connect(user)["redeem(uint256,address,address)"](shares, user.address, user.address), record);

export const withdraw = (w: VaultWorld, user: HardhatEthersSigner, assets: bigint, record?: Recorder) =>
  measure(w, user, () => w.vault.connect(user)["withdraw(uint256,address,address)"](assets, user.address, user.address), record);

/** Redeems every share `user` holds. */
export async function redeemAll(w: VaultWorld, user: HardhatEthersSigner, record?: Recorder): Promise<Action> {
  return redeem(w, user, await w.vault.balanceOf(user.address), record);
}

/** A preview probe holding `weth` WETH (test double calling preview + action in one transaction). */
export async function deployProbe(w: VaultWorld, weth: bigint): Promise<VaultPreviewProbe> {
  const factory = await ethers.getContractFactory("VaultPreviewProbe");
  const probe = (await factory.deploy(w.vault.target)) as unknown as VaultPreviewProbe;
  await probe.waitForDeployment();
  if (weth > 0n) await fund(w.market, probe, { weth });
  return probe;
}

export async function deploySpoofer(): Promise<FlashCallbackSpoofer> {
  const factory = await ethers.getContractFactory("FlashCallbackSpoofer");
  const spoofer = (await factory.deploy()) as unknown as FlashCallbackSpoofer;
  await spoofer.waitForDeployment();
  return spoofer;
}

/**
 * Upper bound (WETH wei) of what re-levering the holders' drift can cost them on the next deposit: the debt the
 * current equity lacks to sit at target, swapped at max slippage. Zero when the position is at or above target.
 */
export async function driftReleverBound(w: VaultWorld): Promise<bigint> {
  const p = await w.vault.position();
  const { targetLeverage } = await w.vault.leverageConfig();
  const { maxSlippageBps } = await w.vault.executionConfig();
  const targetDebt = (p.equityValue * (targetLeverage - WAD)) / WAD;
  if (targetDebt <= p.debtValue) return 0n;
  return ((targetDebt - p.debtValue) * maxSlippageBps * WAD) / (BPS * p.price) + 1n;
}
