/**
 * Moving the local market around with real transactions: feed updates, arbitrage swaps through the
 * SwapRouter, liquidations through the Aave Pool. Prices are ETH/USD unless the name says otherwise
 * (BTC/USD, wstETH/ETH ratio); a `number` is in USD (or a plain ratio), a `bigint` in the feed's units
 * (8 decimals for USD, 18 for the wstETH/ETH ratio).
 */
import { Contract, MaxUint256, type AddressLike, type Signer, resolveAddress } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ASSET_FIELDS, type Market, type MarketAsset } from "./market";
import type { MockAggregator } from "../../../typechain-types";
import { PRICE_UNIT, priceToSqrtX96, sqrtX96ToPrice, toPriceE8, toWad, wethUsdcPair, type PairSpec } from "./price-math";

/** `contract.connect(signer)` keeping the loose Contract type (ethers types connect() as BaseContract). */
export function connectAs(contract: Contract, signer: Signer): Contract {
  return contract.connect(signer) as Contract;
}

/** A Uniswap pool's two tokens as a priced pair: `base` in `quote` (e.g. WETH in USDC, wstETH in WETH). */
export interface PoolPair extends PairSpec {
  base: Contract;
  quote: Contract;
}

const sameAddress = (a: Contract | undefined, b: Contract) => a !== undefined && a.target === b.target;

/**
 * The pair of one of the market's pools: WBTC/USDC (USD, 8 decimals), wstETH/WETH (ETH per wstETH, 18 decimals), else
 * WETH/USDC (USD, 8 decimals; also for markets that only have the WETH/USDC pools).
 */
export function poolPair(market: Market, uniPool: Contract): PoolPair {
  const pair = (base: Contract, quote: Contract, baseDecimals: number, quoteDecimals: number, priceDecimals: number) => ({
    base, quote, baseDecimals, quoteDecimals, priceDecimals,
    baseIsToken0: BigInt(base.target as string) < BigInt(quote.target as string),
  });
  if (sameAddress(market.uniPoolWbtcUsdc, uniPool)) return pair(market.wbtc, market.usdc, 8, 6, 8);
  if (sameAddress(market.uniPoolWstethWeth, uniPool)) return pair(market.wsteth, market.weth, 18, 18, 18);
  return { base: market.weth, quote: market.usdc, ...wethUsdcPair(market.wethIsToken0) };
}

/** A pool's price (quote per base, in its pair's priceDecimals) from slot0. */
export async function poolPriceOf(market: Market, uniPool: Contract): Promise<bigint> {
  const { sqrtPriceX96 } = await uniPool.slot0();
  return sqrtX96ToPrice(sqrtPriceX96, poolPair(market, uniPool));
}

/** ETH/USD of a WETH/USDC pool from slot0, 8 decimals (given another of the market's pools: its poolPriceOf). */
export async function poolPriceE8(market: Market, uniPool: Contract = market.uniPool500): Promise<bigint> {
  return poolPriceOf(market, uniPool);
}

/** BTC/USD of the WBTC/USDC pool, 8 decimals. */
export async function btcPoolPriceE8(market: Market): Promise<bigint> {
  return poolPriceOf(market, market.uniPoolWbtcUsdc);
}

/** ETH per wstETH in the wstETH/WETH pool, 18 decimals. */
export async function wstethPoolRatio(market: Market): Promise<bigint> {
  return poolPriceOf(market, market.uniPoolWstethWeth);
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
 * Swaps in `uniPool` from the arbitrageur until its price is exactly `price` (quote per base in the pair's
 * priceDecimals: ETH/USD or BTC/USD 1e8, wstETH/ETH 1e18): exactInputSingle with an amountIn far above need and
 * sqrtPriceLimitX96 = target, so the pool stops at the limit and the router pulls only what was used.
 * `pair` defaults to the pool's pair in the market (poolPair).
 */
export async function swapPoolTo(
  market: Market,
  uniPool: Contract,
  price: bigint,
  pair: PoolPair = poolPair(market, uniPool),
): Promise<SwapResult> {
  const { arbitrageur, swapRouter } = market;
  const target = priceToSqrtX96(price, pair);
  const { sqrtPriceX96: current } = await uniPool.slot0();
  const none = { tokenIn: pair.base.target as string, amountIn: 0n, amountOut: 0n };
  if (target === current) return none;
  // The price (token1 per token0) falls when token0 is sold.
  const zeroForOne = target < current;
  const baseIn = zeroForOne === pair.baseIsToken0;
  const [tokenIn, tokenOut] = baseIn ? [pair.base, pair.quote] : [pair.quote, pair.base];
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
 * Moves only one pool (default the 0.05% WETH/USDC) by `bps` (signed, -300 = base 3% cheaper) with a real swap;
 * the feed stays put. For sandwich / spot-vs-oracle deviation tests. Returns what the swap did.
 */
export async function movePoolOnly(market: Market, bps: number, uniPool: Contract = market.uniPool500): Promise<SwapResult> {
  const current = await poolPriceOf(market, uniPool);
  return swapPoolTo(market, uniPool, (current * BigInt(10_000 + bps)) / 10_000n);
}

/**
 * Moves the WBTC/USDC pool (real swaps) AND then the BTC/USD feed to `price` (USD number or 1e8 bigint), in the
 * order setMarketPrice uses for ETH: the DEX leads the feed.
 */
export async function setBtcPrice(market: Market, price: number | bigint): Promise<void> {
  const priceE8 = toPriceE8(price);
  await swapPoolTo(market, market.uniPoolWbtcUsdc, priceE8);
  await (await market.btcUsdFeed.setAnswer(priceE8)).wait();
}

/** Moves only the WBTC/USDC pool by `bps` (signed, -300 = BTC 3% cheaper); the BTC/USD feed stays put. */
export function moveBtcPoolOnly(market: Market, bps: number): Promise<SwapResult> {
  return movePoolOnly(market, bps, market.uniPoolWbtcUsdc);
}

/**
 * Moves the wstETH/WETH pool (real swaps), then the wstETH/ETH ratio feed and the token's stEthPerToken to `ratio`
 * (ETH per wstETH: a number like 1.15, or a wad bigint). The wstETH/USD product feed follows by construction.
 */
export async function setWstethRatio(market: Market, ratio: number | bigint): Promise<void> {
  const wad = toWad(ratio);
  await swapPoolTo(market, market.uniPoolWstethWeth, wad);
  await (await market.wstethEthFeed.setAnswer(wad)).wait();
  await (await market.wsteth.setStEthPerToken(wad)).wait();
}

/** Moves only the wstETH/WETH pool by `bps` (signed, -1000 = a 10% depeg); the ratio feed and the token rate stay put. */
export function moveWstethPoolOnly(market: Market, bps: number): Promise<SwapResult> {
  return movePoolOnly(market, bps, market.uniPoolWstethWeth);
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

/**
 * Re-publishes feeds' current answers at the current block time (so they are not stale): by default ETH/USD and
 * USDC/USD only (each re-stamp mines a block, and existing tests count on two); pass `allFeeds(market)` to include
 * BTC/USD and the wstETH/ETH ratio (the wstETH/USD product follows its inputs).
 */
export async function refreshFeeds(market: Market, feeds: MockAggregator[] = [market.ethUsdFeed, market.usdcUsdFeed]): Promise<void> {
  for (const feed of feeds) {
    await (await feed.setAnswer(await feed.latestAnswer())).wait();
  }
}

/** Every MockAggregator of the market (the product feed is derived from two of them). */
export function allFeeds(market: Market): MockAggregator[] {
  return [market.ethUsdFeed, market.usdcUsdFeed, market.btcUsdFeed, market.wstethEthFeed];
}

/** Mines a block `seconds` later; with a market, also re-stamps the feeds at the new time. */
export async function advanceTime(seconds: number, market?: Market): Promise<void> {
  await time.increase(seconds);
  if (market) await refreshFeeds(market);
}

/** Mints test tokens (raw units) to `account`. */
export async function fund(
  market: Market,
  account: AddressLike,
  amounts: { weth?: bigint; usdc?: bigint; wbtc?: bigint; wsteth?: bigint },
): Promise<void> {
  const to = await resolveAddress(account);
  for (const key of ["weth", "usdc", "wbtc", "wsteth"] as const) {
    const amount = amounts[key];
    if (amount) await (await market[key]["mint(address,uint256)"](to, amount)).wait();
  }
}

/**
 * Another Aave borrower, the market's arbitrageur account: supplies the pair's collateral worth 3x the borrow (a 33 %
 * LTV at the given prices, wad USD per whole token) and borrows `amount` raw units of the debt asset. The test-bed's
 * stand-in for the reserve's other borrowers: it raises utilisation (and the variable rate) and lends liquidity out.
 */
export async function borrowFromAave(
  market: Market,
  assets: { collateral: MarketAsset; debt: MarketAsset },
  amount: bigint,
  prices: { collateral: bigint; debt: bigint },
  decimals: { collateral: number; debt: number },
): Promise<void> {
  if (amount <= 0n) return;
  const borrower = market.arbitrageur;
  const collateral = market[ASSET_FIELDS[assets.collateral].token] as Contract;
  const debt = market[ASSET_FIELDS[assets.debt].token] as Contract;
  const supply = (amount * prices.debt * 3n * 10n ** BigInt(decimals.collateral)) / (prices.collateral * 10n ** BigInt(decimals.debt)) + 1n;
  await fund(market, borrower.address, { [ASSET_FIELDS[assets.collateral].token]: supply });
  await (await connectAs(collateral, borrower).approve(market.pool.target, MaxUint256)).wait();
  const pool = connectAs(market.pool as unknown as Contract, borrower);
  await (await pool.supply(collateral.target, supply, borrower.address, 0)).wait();
  await (await pool.borrow(debt.target, amount, 2, 0, borrower.address)).wait();
}

/**
 * `borrowFromAave` until the debt reserve is `utilisation` (0..1) borrowed; returns the utilisation reached (0..1),
 * unchanged when it is already there.
 */
export async function borrowAaveTo(
  market: Market,
  assets: { collateral: MarketAsset; debt: MarketAsset },
  utilisation: number,
  prices: { collateral: bigint; debt: bigint },
  decimals: { collateral: number; debt: number },
): Promise<number> {
  const debt = market[ASSET_FIELDS[assets.debt].token] as Contract;
  const aDebt = market[ASSET_FIELDS[assets.debt].aToken] as Contract;
  const variableDebt = market[ASSET_FIELDS[assets.debt].variableDebt] as Contract;
  const reached = async () => {
    const borrowed: bigint = await variableDebt.totalSupply();
    const available: bigint = await debt.balanceOf(aDebt.target);
    return { borrowed, available, share: Number(borrowed) / Number(borrowed + available) };
  };
  const now = await reached();
  const want = ((now.available + now.borrowed) * BigInt(Math.round(utilisation * 1e6))) / 1_000_000n - now.borrowed;
  await borrowFromAave(market, assets, want, prices, decimals);
  return (await reached()).share;
}

export interface LiquidationResult {
  /** Debt asset the liquidator paid (raw units; USDC for `liquidate`). */
  debtRepaid: bigint;
  /** Collateral the liquidator received, bonus included (raw units; WETH for `liquidate`). */
  collateralReceived: bigint;
}

/**
 * The liquidator calls the real Pool.liquidationCall (WETH collateral, USDC debt), receiving WETH
 * (not aWETH). `debtToCover` defaults to max: Aave caps it by the close factor (50%, or 100% below HF 0.95).
 */
export async function liquidate(market: Market, user: AddressLike, debtToCover: bigint = MaxUint256): Promise<LiquidationResult> {
  return liquidatePair(market, user, "WETH", "USDC", debtToCover);
}

/** As `liquidate`, for any pair of the market's assets (the backtests of every preset). */
export async function liquidatePair(
  market: Market,
  user: AddressLike,
  collateralAsset: MarketAsset,
  debtAsset: MarketAsset,
  debtToCover: bigint = MaxUint256,
): Promise<LiquidationResult> {
  const { pool, liquidator } = market;
  const collateral = market[ASSET_FIELDS[collateralAsset].token];
  const debtToken = market[ASSET_FIELDS[debtAsset].token];
  const borrower = await resolveAddress(user);
  const debt: bigint = await market[ASSET_FIELDS[debtAsset].variableDebt].balanceOf(borrower);
  const decimals = Number(await debtToken.decimals());
  await fund(market, liquidator, { [ASSET_FIELDS[debtAsset].token]: (debtToCover < debt ? debtToCover : debt) + 10n ** BigInt(decimals) });
  const debtBefore: bigint = await debtToken.balanceOf(liquidator.address);
  const collateralBefore: bigint = await collateral.balanceOf(liquidator.address);
  await (await pool.connect(liquidator).liquidationCall(collateral.target, debtToken.target, borrower, debtToCover, false)).wait();
  return {
    debtRepaid: debtBefore - (await debtToken.balanceOf(liquidator.address)),
    collateralReceived: (await collateral.balanceOf(liquidator.address)) - collateralBefore,
  };
}
