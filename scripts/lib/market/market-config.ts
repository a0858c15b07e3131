/**
 * Parameters of the local market: Aave risk and rate settings, fees, seed liquidity and Uniswap positions.
 * The exported ones are part of the market's API (re-exported by market.ts); the rest only shape the deployment.
 */

/** Risk parameters in bps (Aave's percentage unit: 10_000 = 100%). */
export const RESERVE_PARAMS = {
  WETH: { ltv: 8050n, liquidationThreshold: 8300n, liquidationBonus: 10500n, reserveFactor: 1000n },
  USDC: { ltv: 7700n, liquidationThreshold: 8000n, liquidationBonus: 10450n, reserveFactor: 1000n },
} as const;

/** Fees: Uniswap tiers in hundredths of a bip (500 = 0.05%); Aave flash premium in bps. */
export const FEES = {
  uniswapLow: 500,
  uniswapMedium: 3000,
  // Total 5 bps like Aave V3 mainnet; protocol share 0 so the whole premium accrues to suppliers
  // (keeps supplier accounting simple; set 4 via updateFlashloanPremiumToProtocol for mainnet-like split).
  flashLoanPremiumBps: 5n,
  flashLoanPremiumToProtocolBps: 0n,
} as const;

/** Aave treasury (receives reserve-factor aTokens); any non-zero address works. */
export const TREASURY = "0x000000000000000000000000000000000000fee5";

const RAY_PER_PERCENT = 10n ** 25n;
/** Percent -> ray (Aave's 27-decimal unit for rates). */
export const pct = (p: number) => (BigInt(Math.round(p * 1e4)) * RAY_PER_PERCENT) / 10_000n;

/** Interest rate strategy of a reserve, in ray. */
export interface RateParams {
  optimal: bigint;
  base: bigint;
  slope1: bigint;
  slope2: bigint;
}

// Close to Aave V3 Ethereum at launch. Stable borrowing stays disabled, its slopes are unused.
export const RATES: { WETH: RateParams; USDC: RateParams } = {
  WETH: { optimal: pct(80), base: 0n, slope1: pct(3.8), slope2: pct(80) },
  USDC: { optimal: pct(90), base: 0n, slope1: pct(4), slope2: pct(60) },
};

/** Seed supply to Aave by the lp (raw units). */
export const AAVE_SEED = { weth: 20_000n * 10n ** 18n, usdc: 50_000_000n * 10n ** 6n };

/** One fee tier's Uniswap pool and the two positions the lp opens in it. */
export interface UniPosition {
  fee: number;
  spacing: number;
  fullRangeEth: number;
  concentratedEth: number;
}

/**
 * Uniswap positions, in ETH of the position's WETH side (the USDC side is matched at the price).
 * A range [p/1.5, 1.5p] holding X ETH has virtual reserves ~X/0.18, so 36k ETH behaves like ~200k ETH
 * of constant-product depth near the price: 100 ETH moves the 0.05% pool ~0.1%, 3% takes ~3k ETH.
 * Order matters: the first is the market's uniPool500, the second its uniPool3000.
 */
export const UNI_POSITIONS: UniPosition[] = [
  { fee: 500, spacing: 10, fullRangeEth: 2_000, concentratedEth: 36_000 },
  { fee: 3000, spacing: 60, fullRangeEth: 500, concentratedEth: 3_600 },
];
export const CONCENTRATED_WIDTH = 1.5; // price range [p / 1.5, p * 1.5]
export const ARBITRAGEUR_FUNDS = { weth: 10_000_000n * 10n ** 18n, usdc: 100_000_000_000n * 10n ** 6n };
