/**
 * Moving the local market around with real transactions: feed updates, arbitrage swaps through the
 * SwapRouter, liquidations through the Aave Pool. Prices are ETH/USD; a `number` is in USD, a
 * `bigint` in the feeds' 8-decimal units.
 */
import { Contract, MaxUint256, type AddressLike, type Signer, resolveAddress } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Market } from "./market";
import { PRICE_UNIT, priceE8ToSqrtX96, sqrtX96ToPriceE8, toPriceE8 } from "./price-math";

/** `contract.connect(signer)` keeping the loose Contract type (ethers types connect() as BaseContract). */
export function connectAs(contract: Contract, signer: Signer): Contract {
  return contract.connect(signer) as Contract;
}

/** ETH/USD of a Uniswap pool from slot0, 8 decimals. */
export async function poolPriceE8(market: Market, uniPool: Contract = market.uniPool500): Promise<bigint> {
  const { sqrtPriceX96 } = await uniPool.slot0();
  return sqrtX96ToPriceE8(sqrtPriceX96, market.wethIsToken0);
}

/** ETH/USD of a Uniswap pool (default the 0.05% pool) as a float. */
export async function poolPrice(market: Market, uniPool: Contract = market.uniPool500): Promise<number> {
  return Number(await poolPriceE8(market, uniPool)) / Number(PRICE_UNIT);
}

/** ETH/USD the Aave oracle reports (feed answer through AaveOracle), 8 decimals. */
export async function oraclePriceE8(market: Market): Promise<bigint> {
  return market.aaveOracle.getAssetPrice(market.weth.target);
}

export async function oraclePrice(market: Market): Promise<number> {
  return Number(await oraclePriceE8(market)) / Number(PRICE_UNIT);
}

export interface SwapResult {
  tokenIn: string;
  amountIn: bigint;
  amountOut: bigint;
}

/**
 * Swaps in `uniPool` from the arbitrageur until its price is exactly `priceE8`: exactInputSingle with
 * an amountIn far above need and sqrtPriceLimitX96 = target, so the pool stops at the limit and the
 * router pulls only what was used.
 */
export async function swapPoolTo(market: Market, uniPool: Contract, priceE8: bigint): Promise<SwapResult> {
  const { arbitrageur, weth, usdc, swapRouter, wethIsToken0 } = market;
  const target = priceE8ToSqrtX96(priceE8, wethIsToken0);
  const { sqrtPriceX96: current } = await uniPool.slot0();
  const none = { tokenIn: weth.target as string, amountIn: 0n, amountOut: 0n };
  if (target === current) return none;
  // The price (token1 per token0) falls when token0 is sold.
  const zeroForOne = target < current;
  const wethIn = zeroForOne === wethIsToken0;
  const [tokenIn, tokenOut] = wethIn ? [weth, usdc] : [usdc, weth];
  const balanceIn: bigint = await tokenIn.balanceOf(arbitrageur.address);
  const balanceOut: bigint = await tokenOut.balanceOf(arbitrageur.address);
  const tx = await connectAs(swapRouter, arbitrageur).exactInputSingle({
    tokenIn: tokenIn.target,
    tokenOut: tokenOut.target,
    fee: await uniPool.fee(),
    recipient: arbitrageur.address,
    deadline: MaxUint256,
    amountIn: balanceIn,
    amountOutMinimum: 0n,
    sqrtPriceLimitX96: target,
  });
  await tx.wait();
  const { sqrtPriceX96: after } = await uniPool.slot0();
  if (after !== target) throw new Error(`pool stopped at ${after}, target ${target}: arbitrageur out of funds?`);
  return {
    tokenIn: tokenIn.target as string,
    amountIn: balanceIn - (await tokenIn.balanceOf(arbitrageur.address)),
    amountOut: (await tokenOut.balanceOf(arbitrageur.address)) - balanceOut,
  };
}

/**
 * Moves both Uniswap pools (real swaps, like arbitrage) AND then the ETH/USD feed to `price`: the DEX leads the
 * feed, and the swaps are not in the latest block, which a view call on "latest" would read as moves within its
 * own block (the vault's same-block guard).
 */
export async function setMarketPrice(market: Market, price: number | bigint): Promise<void> {
  const priceE8 = toPriceE8(price);
  await swapPoolTo(market, market.uniPool500, priceE8);
  await swapPoolTo(market, market.uniPool3000, priceE8);
  await (await market.ethUsdFeed.setAnswer(priceE8)).wait();
}

/**
 * Moves only one pool (default 0.05%) by `bps` (signed, -300 = 3% cheaper ETH) with a real swap;
 * the feed stays put. For sandwich / spot-vs-oracle deviation tests. Returns what the swap did.
 */
export async function movePoolOnly(market: Market, bps: number, uniPool: Contract = market.uniPool500): Promise<SwapResult> {
  const current = await poolPriceE8(market, uniPool);
  return swapPoolTo(market, uniPool, (current * BigInt(10_000 + bps)) / 10_000n);
}

/** Plain exact-input swap through the SwapRouter by `signer` (who must hold and approve tokenIn). */
export async function swapExactIn(
  market: Market,
  signer: Signer,
  tokenIn: Contract,
  amountIn: bigint,
  fee: number = market.fees.uniswapLow,
): Promise<bigint> {
  const tokenOut = tokenIn.target === market.weth.target ? market.usdc : market.weth;
  const who = await signer.getAddress();
  await (await connectAs(tokenIn, signer).approve(market.swapRouter.target, amountIn)).wait();
  const before: bigint = await tokenOut.balanceOf(who);
  const params = {
    tokenIn: tokenIn.target, tokenOut: tokenOut.target, fee, recipient: who,
    deadline: MaxUint256, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n,
  };
  await (await connectAs(market.swapRouter, signer).exactInputSingle(params)).wait();
  return (await tokenOut.balanceOf(who)) - before;
}

/** Re-publishes every feed's current answer at the current block time (so it is not stale). */
export async function refreshFeeds(market: Market): Promise<void> {
  for (const feed of [market.ethUsdFeed, market.usdcUsdFeed]) {
    await (await feed.setAnswer(await feed.latestAnswer())).wait();
  }
}

/** Mines a block `seconds` later; with a market, also re-stamps the feeds at the new time. */
export async function advanceTime(seconds: number, market?: Market): Promise<void> {
  await time.increase(seconds);
  if (market) await refreshFeeds(market);
}

/** Mints test tokens (raw units) to `account`. */
export async function fund(market: Market, account: AddressLike, amounts: { weth?: bigint; usdc?: bigint }): Promise<void> {
  const to = await resolveAddress(account);
  if (amounts.weth) await (await market.weth["mint(address,uint256)"](to, amounts.weth)).wait();
  if (amounts.usdc) await (await market.usdc["mint(address,uint256)"](to, amounts.usdc)).wait();
}

export interface LiquidationResult {
  /** USDC the liquidator paid. */
  debtRepaid: bigint;
  /** WETH the liquidator received (includes the bonus). */
  collateralReceived: bigint;
}

/**
 * The liquidator calls the real Pool.liquidationCall (WETH collateral, USDC debt), receiving WETH
 * (not aWETH). `debtToCover` defaults to max: Aave caps it by the close factor (50%, or 100% below HF 0.95).
 */
export async function liquidate(market: Market, user: AddressLike, debtToCover: bigint = MaxUint256): Promise<LiquidationResult> {
  const { pool, weth, usdc, liquidator, variableDebtUSDC } = market;
  const borrower = await resolveAddress(user);
  const debt: bigint = await variableDebtUSDC.balanceOf(borrower);
  await fund(market, liquidator, { usdc: (debtToCover < debt ? debtToCover : debt) + 10n ** 6n });
  const usdcBefore: bigint = await usdc.balanceOf(liquidator.address);
  const wethBefore: bigint = await weth.balanceOf(liquidator.address);
  await (await pool.connect(liquidator).liquidationCall(weth.target, usdc.target, borrower, debtToCover, false)).wait();
  return {
    debtRepaid: usdcBefore - (await usdc.balanceOf(liquidator.address)),
    collateralReceived: (await weth.balanceOf(liquidator.address)) - wethBefore,
  };
}
