/**
 * Exact bigint conversions between an ETH/USD price (8 decimals, like the Chainlink feed and the
 * Aave oracle) and a Uniswap V3 WETH/USDC sqrtPriceX96. Pure functions, no chain access.
 *
 * Uniswap prices are raw token1 per raw token0, so both the token order and the decimals
 * (WETH 18, USDC 6) enter: 1 ETH = 1e18 raw WETH is worth priceE8 * 1e6 / 1e8 raw USDC.
 */

export const PRICE_DECIMALS = 8;
export const PRICE_UNIT = 10n ** 8n;
const Q192 = 1n << 192n;
const WETH_UNIT = 10n ** 18n;
const USDC_UNIT = 10n ** 6n;
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

/** ETH/USD (1e8) -> sqrtPriceX96 of the WETH/USDC pool. */
export function priceE8ToSqrtX96(priceE8: bigint, wethIsToken0: boolean): bigint {
  const weth = WETH_UNIT * PRICE_UNIT; // 1 ETH, scaled by 1e8 so that the USDC side stays integral
  const usdc = priceE8 * USDC_UNIT;
  return wethIsToken0 ? encodeSqrtPriceX96(usdc, weth) : encodeSqrtPriceX96(weth, usdc);
}

/** sqrtPriceX96 of the WETH/USDC pool -> ETH/USD (1e8), rounded to nearest. */
export function sqrtX96ToPriceE8(sqrtPriceX96: bigint, wethIsToken0: boolean): bigint {
  const sq = sqrtPriceX96 * sqrtPriceX96; // raw token1/token0 * 2^192
  const [num, den] = wethIsToken0
    ? [sq * WETH_UNIT * PRICE_UNIT, Q192 * USDC_UNIT]
    : [Q192 * WETH_UNIT * PRICE_UNIT, sq * USDC_UNIT];
  return (num + den / 2n) / den;
}

/** The (float) tick of a USD price; only used to place liquidity ranges, so float precision is enough. */
export function priceToTick(priceUsd: number, wethIsToken0: boolean): number {
  const raw = wethIsToken0 ? priceUsd * 1e-12 : 1e12 / priceUsd;
  return Math.log(raw) / Math.log(1.0001);
}

/** Tick range [lo, hi] covering USD prices [pLow, pHigh], widened outwards to multiples of `spacing`. */
export function tickRange(pLow: number, pHigh: number, spacing: number, wethIsToken0: boolean): [number, number] {
  const a = priceToTick(pLow, wethIsToken0);
  const b = priceToTick(pHigh, wethIsToken0);
  const lo = Math.max(Math.floor(Math.min(a, b) / spacing) * spacing, fullRange(spacing)[0]);
  const hi = Math.min(Math.ceil(Math.max(a, b) / spacing) * spacing, fullRange(spacing)[1]);
  return [lo, hi];
}

/** Widest usable range for a tick spacing (MIN_TICK/MAX_TICK rounded inwards). */
export function fullRange(spacing: number): [number, number] {
  return [Math.ceil(MIN_TICK / spacing) * spacing, Math.floor(MAX_TICK / spacing) * spacing];
}
