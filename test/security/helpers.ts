/**
 * Helpers shared by the issue-8 regression scenarios (management and automation findings). Written against the
 * public ABI: `ILeveredVault` plus the functions the fix adds (acceptChange, revokeChange, pendingChange,
 * timelock, setTimelock); on today's code those are missing and the tests using them fail with a TypeError.
 */
import { expect } from "chai";
import { AbiCoder, MaxUint256, type Signer } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { ILeveredVault } from "../../typechain-types";
import type { Market } from "../shared/market";
import { connectAs, poolPriceE8, oraclePriceE8, swapPoolTo } from "../shared/market-helpers";
import { priceE8ToSqrtX96 } from "../shared/market";

export { ChangeKind } from "../shared/timelock";

export const DAY = 86_400;
export const MIN_TIMELOCK = DAY;
export const MAX_TIMELOCK = 14 * DAY;
export const PENDING_VALIDITY = 7 * DAY;

export const ACTION_NAMES = [
  "None", "DeleverBand", "ReleverBand", "DeleverHealth", "StopLoss", "TrailingStop", "TakeProfit", "Ripcord", "Poke",
];

/** The vault with the functions the fix adds, typed loosely (today's typechain does not have them yet). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TimelockedVault = ILeveredVault & Record<string, any>;
export const timelocked = (vault: ILeveredVault) => vault as TimelockedVault;

const coder = AbiCoder.defaultAbiCoder();
/** `abi.encode(config)` of each kind, as `pendingChange(kind).data` and `ChangeSubmitted.data` carry it. */
export const encodeChange = {
  leverage: (c: { targetLeverage: bigint; minLeverage: bigint; maxLeverage: bigint; minHealthFactor: bigint }) =>
    coder.encode(["tuple(uint64,uint64,uint64,uint64)"], [[c.targetLeverage, c.minLeverage, c.maxLeverage, c.minHealthFactor]]),
  execution: (c: { maxSlippageBps: bigint | number; swapFee: bigint | number; depositCap: bigint }) =>
    coder.encode(["tuple(uint16,uint24,uint128)"], [[c.maxSlippageBps, c.swapFee, c.depositCap]]),
  automation: (c: {
    criticalHealthFactor: bigint; maxDexDeviationBps: bigint | number; maxEquityLossBps: bigint | number;
    cooldown: bigint | number; ripcordRewardBps: bigint | number; maxTradeSize: bigint; ripcordRewardCap: bigint;
  }) =>
    coder.encode(
      ["tuple(uint64,uint16,uint16,uint32,uint16,uint96,uint128)"],
      [[c.criticalHealthFactor, c.maxDexDeviationBps, c.maxEquityLossBps, c.cooldown, c.ripcordRewardBps, c.maxTradeSize, c.ripcordRewardCap]],
    ),
  exit: (c: { stopLossPrice: bigint; takeProfitPrice: bigint; takeProfitLeverage: bigint; trailBps: bigint | number; stopToDebtAsset: boolean }) =>
    coder.encode(
      ["tuple(uint128,uint128,uint64,uint16,bool)"],
      [[c.stopLossPrice, c.takeProfitPrice, c.takeProfitLeverage, c.trailBps, c.stopToDebtAsset]],
    ),
  timelock: (seconds: bigint | number) => coder.encode(["uint256"], [seconds]),
};

/** Block timestamp of a mined transaction. */
export async function minedAt(tx: { wait: () => Promise<unknown> }): Promise<bigint> {
  const receipt = (await tx.wait()) as { getBlock: () => Promise<{ timestamp: number }> };
  return BigInt((await receipt.getBlock()).timestamp);
}

/** A revert decoded against the vault's ABI: `Name(arg, ...)`, or the raw message when it does not decode. */
export function describeRevert(vault: ILeveredVault, error: unknown): string {
  const e = error as { data?: string; info?: { error?: { data?: string } }; message?: string };
  const data = e.data ?? e.info?.error?.data;
  if (typeof data === "string" && data.length >= 10) {
    try {
      const parsed = vault.interface.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
    } catch {
      /* fall through */
    }
    return `revert ${data.slice(0, 10)}`;
  }
  return String(e.message ?? error).split("\n")[0];
}

/** `rebalance()` from `keeper` simulated on the current state: null when it succeeds, else the decoded revert. */
export async function rebalanceOutcome(vault: ILeveredVault, keeper: Signer): Promise<string | null> {
  try {
    await vault.connect(keeper).rebalance.staticCall();
    return null;
  } catch (error) {
    return describeRevert(vault, error);
  }
}

export interface TriggerReading {
  needed: boolean;
  action: bigint;
  name: string;
}

/**
 * TRIGGER-1 at one state: `trigger()`, `checkUpkeep()` and `checker()` agree, and if they say an action is due,
 * `rebalance()` from the keeper succeeds on the same state (simulated, then sent unless `execute` is false); if
 * none is due it reverts.
 * Returns what trigger said.
 */
export async function expectTriggerHonest(
  vault: ILeveredVault,
  keeper: Signer,
  label: string,
  execute = true,
): Promise<TriggerReading> {
  const [needed, action] = await vault.trigger();
  const [upkeepNeeded, performData] = await vault.checkUpkeep("0x");
  const [canExec] = await vault.checker();
  const name = ACTION_NAMES[Number(action)];
  expect(upkeepNeeded, `${label}: checkUpkeep agrees with trigger (${name})`).to.equal(needed);
  expect(canExec, `${label}: checker agrees with trigger (${name})`).to.equal(needed);
  if (needed) expect(AbiCoder.defaultAbiCoder().decode(["uint8"], performData)[0], `${label}: performData`).to.equal(action);
  const outcome = await rebalanceOutcome(vault, keeper);
  if (needed) {
    expect(outcome === null, `${label}: trigger() says ${name} is due, but rebalance() reverts ${outcome}`).to.equal(true);
    if (execute) await (await vault.connect(keeper).rebalance()).wait();
  } else {
    expect(outcome !== null, `${label}: trigger() says nothing is due, but rebalance() succeeds`).to.equal(true);
  }
  return { needed, action, name };
}

/** |pool spot - oracle| / oracle of the 0.05% pool, bps (float). */
export async function poolDeviationBps(market: Market, uniPool = market.uniPool500): Promise<number> {
  const [spot, oracle] = await Promise.all([poolPriceE8(market, uniPool), oraclePriceE8(market)]);
  const diff = spot > oracle ? spot - oracle : oracle - spot;
  return (Number(diff) * 10_000) / Number(oracle);
}

/**
 * Swaps in `uniPool` from `signer` until its price is `priceE8` (price-limited exactInputSingle, like
 * market-helpers' swapPoolTo but from any funded signer). Returns the token sold and the amounts.
 */
export async function pushPoolTo(
  market: Market,
  signer: Signer,
  priceE8: bigint,
  uniPool = market.uniPool500,
): Promise<{ wethIn: boolean; amountIn: bigint; amountOut: bigint }> {
  const { weth, usdc, swapRouter, wethIsToken0 } = market;
  const who = await signer.getAddress();
  const target = priceE8ToSqrtX96(priceE8, wethIsToken0);
  const { sqrtPriceX96: current } = await uniPool.slot0();
  const zeroForOne = target < current;
  const wethIn = zeroForOne === wethIsToken0;
  const [tokenIn, tokenOut] = wethIn ? [weth, usdc] : [usdc, weth];
  const [in0, out0]: bigint[] = await Promise.all([tokenIn.balanceOf(who), tokenOut.balanceOf(who)]);
  await (await connectAs(tokenIn, signer).approve(swapRouter.target, MaxUint256)).wait();
  await (
    await connectAs(swapRouter, signer).exactInputSingle({
      tokenIn: tokenIn.target, tokenOut: tokenOut.target, fee: await uniPool.fee(), recipient: who,
      deadline: MaxUint256, amountIn: in0, amountOutMinimum: 0n, sqrtPriceLimitX96: target,
    })
  ).wait();
  const [in1, out1]: bigint[] = await Promise.all([tokenIn.balanceOf(who), tokenOut.balanceOf(who)]);
  return { wethIn, amountIn: in0 - in1, amountOut: out1 - out0 };
}

/**
 * Deposits `total` WETH from `user` in slices of at most `slice`, the pools re-arbitraged to the oracle after each:
 * one deposit levers the whole amount at once, and a very large one would not fill within the slippage bound.
 */
export async function depositInSlices(
  w: { vault: ILeveredVault; market: Market },
  user: Signer,
  total: bigint,
  slice: bigint,
): Promise<void> {
  const who = await user.getAddress();
  for (let left = total; left > 0n; ) {
    const amount = left < slice ? left : slice;
    await (await w.vault.connect(user)["deposit(uint256,address)"](amount, who)).wait();
    left -= amount;
    const oracle = await oraclePriceE8(w.market);
    for (const pool of [w.market.uniPool500, w.market.uniPool3000]) await swapPoolTo(w.market, pool, oracle);
  }
}

/** Moves to `timestamp` and re-stamps the feeds there (a day-long timelock leaves them stale otherwise). */
export async function jumpTo(market: Market, timestamp: bigint | number): Promise<void> {
  await time.increaseTo(timestamp);
  for (const feed of [market.ethUsdFeed, market.usdcUsdFeed]) {
    await (await feed.setAnswer(await feed.latestAnswer())).wait();
  }
}
