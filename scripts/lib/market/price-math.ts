/**
 * Exact bigint conversions between a price (quote per base, e.g. ETH/USD in 8 decimals like the Chainlink
 * feed and the Aave oracle, or wstETH/ETH in 18) and a Uniswap V3 sqrtPriceX96. Pure functions, no chain access.
 *
 * Uniswap prices are raw token1 per raw token0, so both the token order and the decimals enter
 * (PairSpec): 1 ETH = 1e18 raw WETH is worth priceE8 * 1e6 / 1e8 raw USDC. The WETH/USDC-named
 * functions are the original API, now thin wrappers of the generic ones.
 */

export const PRICE_DECIMALS = 8;
export const PRICE_UNIT = 10n ** 8n;
const Q192 = 1n << 192n;
export const MIN_TICK = -887272;
export const MAX_TICK = 887272;

/** floor(sqrt(n)) by Newton's method. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new Error("isqrt of negative");
  if (n < 2n) return n;
  let x = 1n << (BigInt(n.toString(2).length + 1) / 2n); // >= sqrt(n)
  for (;;) {
    const y = (x + n / x) / 2n;
    if (y >= x) return x;
    x = y;
  }
}

/** A decimal number (e.g. 1.15) -> wad (1e18), exact to 1e-12. */
export function toWad(value: number | bigint): bigint {
  if (typeof value === "bigint") return value;
  if (!(value > 0)) throw new Error(`bad ratio ${value}`);
  return BigInt(Math.round(value * 1e6)) * 10n ** 12n;
}

/** USD as a JS number (e.g. 1999.5) -> 8-decimal feed units. */
export function toPriceE8(priceUsd: number | bigint): bigint {
  if (typeof priceUsd === "bigint") {
    // A bigint is already in feed units; a tiny value almost surely meant whole dollars.
    if (priceUsd < 10_000n) throw new Error(`price ${priceUsd} looks like whole USD: bigint prices are 1e8-scaled`);
    return priceUsd;
  }
  if (!(priceUsd > 0)) throw new Error(`bad price ${priceUsd}`);
  return BigInt(Math.round(priceUsd * 1e8));
}

/** sqrtPriceX96 = floor(sqrt(amount1 / amount0) * 2^96), computed as isqrt(amount1 * 2^192 / amount0). */
export function encodeSqrtPriceX96(amount1: bigint, amount0: bigint): bigint {
  return isqrt((amount1 * Q192) / amount0);
}

/**
 * A Uniswap pool seen as a price of `base` in `quote` (e.g. ETH in USD, BTC in USD, wstETH in ETH), scaled by
 * 10**priceDecimals. Uniswap prices are raw token1 per raw token0, so the token order and both decimals enter.
 */
export interface PairSpec {
  baseDecimals: number;
  quoteDecimals: number;
  /** Scale of the human price: 8 for USD prices (like the feeds), 18 for wad ratios. */
  priceDecimals: number;
  baseIsToken0: boolean;
}

/** WETH (18) priced in USDC (6), 8-decimal USD prices: the market's original pair. */
export const wethUsdcPair = (wethIsToken0: boolean): PairSpec => ({
  baseDecimals: 18,
  quoteDecimals: 6,
  priceDecimals: PRICE_DECIMALS,
  baseIsToken0: wethIsToken0,
});

const pow10 = (n: number) => 10n ** BigInt(n);

/** Price (10**priceDecimals quote per base) -> sqrtPriceX96 of the pool. */
export function priceToSqrtX96(price: bigint, pair: PairSpec): bigint {
  // 1 base unit scaled by the price unit, so that the quote side stays integral.
  const base = pow10(pair.baseDecimals + pair.priceDecimals);
  const quote = price * pow10(pair.quoteDecimals);
  return pair.baseIsToken0 ? encodeSqrtPriceX96(quote, base) : encodeSqrtPriceX96(base, quote);
}

/** sqrtPriceX96 of the pool -> price (10**priceDecimals quote per base), rounded to nearest. */
export function sqrtX96ToPrice(sqrtPriceX96: bigint, pair: PairSpec): bigint {
  const sq = sqrtPriceX96 * sqrtPriceX96; // raw token1/token0 * 2^192
  const baseScaled = pow10(pair.baseDecimals + pair.priceDecimals);
  const quoteUnit = pow10(pair.quoteDecimals);
  const [num, den] = pair.baseIsToken0 ? [sq * baseScaled, Q192 * quoteUnit] : [Q192 * baseScaled, sq * quoteUnit];
  return (num + den / 2n) / den;
}

/** ETH/USD (1e8) -> sqrtPriceX96 of the WETH/USDC pool. */
export function priceE8ToSqrtX96(priceE8: bigint, wethIsToken0: boolean): bigint {
  return priceToSqrtX96(priceE8, wethUsdcPair(wethIsToken0));
}

/** sqrtPriceX96 of the WETH/USDC pool -> ETH/USD (1e8), rounded to nearest. */
export function sqrtX96ToPriceE8(sqrtPriceX96: bigint, wethIsToken0: boolean): bigint {
  return sqrtX96ToPrice(sqrtPriceX96, wethUsdcPair(wethIsToken0));
}

/** A pair argument: a PairSpec, or the WETH/USDC pair's `wethIsToken0` (the original signature). */
type PairArg = PairSpec | boolean;
const asPair = (p: PairArg): PairSpec => (typeof p === "boolean" ? wethUsdcPair(p) : p);

/** The (float) tick of a human price (quote per base); only used to place liquidity ranges, so float precision is enough. */
export function priceToTick(price: number, pair: PairArg): number {
  const { baseDecimals, quoteDecimals, baseIsToken0 } = asPair(pair);
  const rawQuotePerBase = price * 10 ** (quoteDecimals - baseDecimals);
  const raw = baseIsToken0 ? rawQuotePerBase : 1 / rawQuotePerBase;
  return Math.log(raw) / Math.log(1.0001);
}

/** Tick range [lo, hi] covering prices [pLow, pHigh], widened outwards to multiples of `spacing`. */
export function tickRange(pLow: number, pHigh: number, spacing: number, pair: PairArg): [number, number] {
  const a = priceToTick(pLow, pair);
  const b = priceToTick(pHigh, pair);
  const lo = Math.max(Math.floor(Math.min(a, b) / spacing) * spacing, fullRange(spacing)[0]);
  const hi = Math.min(Math.ceil(Math.max(a, b) / spacing) * spacing, fullRange(spacing)[1]);
  return [lo, hi];
}

/** Widest usable range for a tick spacing (MIN_TICK/MAX_TICK rounded inwards). */
export function fullRange(spacing: number): [number, number] {
  return [Math.ceil(MIN_TICK / spacing) * spacing, Math.floor(MAX_TICK / spacing) * spacing];
}
