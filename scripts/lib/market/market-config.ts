/**
 * Parameters of the local market: Aave risk and rate settings, fees, seed liquidity and Uniswap positions.
 * The exported ones are part of the market's API (re-exported by market.ts); the rest only shape the deployment.
 */

/** Risk parameters in bps (Aave's percentage unit: 10_000 = 100%). */
export const RESERVE_PARAMS = {
  WETH: { ltv: 8050n, liquidationThreshold: 8300n, liquidationBonus: 10500n, reserveFactor: 1000n },
  USDC: { ltv: 7700n, liquidationThreshold: 8000n, liquidationBonus: 10450n, reserveFactor: 1000n },
  WBTC: { ltv: 7300n, liquidationThreshold: 7800n, liquidationBonus: 10500n, reserveFactor: 2000n },
  wstETH: { ltv: 7850n, liquidationThreshold: 8100n, liquidationBonus: 10600n, reserveFactor: 1500n },
} as const;

/** Aave e-mode category of the ETH-correlated assets (WETH, wstETH); ltv, threshold and bonus in bps. */
export const EMODE_ETH = {
  id: 1,
  ltv: 9300,
  liquidationThreshold: 9500,
  liquidationBonus: 10100,
  label: "ETH correlated",
} as const;

/** Fees: Uniswap tiers in hundredths of a bip (500 = 0.05%); Aave flash premium in bps. */
export const FEES = {
  uniswapLow: 500,
  uniswapMedium: 3000,
  /** Not enabled by the v3-core factory by default: the market enables it (tick spacing 1). */
  uniswapLowest: 100,
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
export const RATES: Record<keyof typeof RESERVE_PARAMS, RateParams> = {
  WETH: { optimal: pct(80), base: 0n, slope1: pct(3.8), slope2: pct(80) },
  USDC: { optimal: pct(90), base: 0n, slope1: pct(4), slope2: pct(60) },
  WBTC: { optimal: pct(45), base: 0n, slope1: pct(4), slope2: pct(300) },
  wstETH: { optimal: pct(45), base: 0n, slope1: pct(4.5), slope2: pct(80) },
};

/** Seed supply to Aave by the lp (raw units). */
export const AAVE_SEED = {
  weth: 20_000n * 10n ** 18n,
  usdc: 50_000_000n * 10n ** 6n,
  wbtc: 1_000n * 10n ** 8n,
  wsteth: 10_000n * 10n ** 18n,
};

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

/** One lp position of a pool: `baseAmount` of the base token (quote matched at the price) over [p / width, p * width]. */
export interface RangePosition {
  /** Price range factor around the pool's start price; "full" for the whole tick range. */
  width: number | "full";
  /** Size in base tokens (WBTC, wstETH), before the market's uniswapDepth multiplier. */
  baseAmount: number;
}

/**
 * WBTC/USDC 0.3 %: virtual reserves of [p/1.5, 1.5p] are ~1/0.18 of the real ones, so 600 BTC (~$36M a side at
 * $60k, ~$72M in all) acts like ~$200M a side: a $100k trade moves it ~0.1 %.
 */
export const WBTC_USDC_POOL = {
  fee: 3000,
  spacing: 60,
  positions: [
    { width: "full", baseAmount: 50 },
    { width: CONCENTRATED_WIDTH, baseAmount: 600 },
  ] as RangePosition[],
};

/**
 * wstETH/WETH 0.01 % (tick spacing 1), priced in ETH per wstETH. A ±1 % range holding ~8.7k wstETH (~10k ETH a side)
 * acts like ~2M ETH of constant-product depth at the peg (virtual/real ~200): 1,000 ETH moves it ~0.1 %. Beyond ±1 %
 * the ±15 % and full-range positions (~76k ETH virtual) are deep but finite: a -10 % depeg costs ~15k wstETH.
 */
export const WSTETH_WETH_POOL = {
  fee: 100,
  spacing: 1,
  positions: [
    { width: "full", baseAmount: 2_000 },
    { width: 1.15, baseAmount: 4_500 },
    { width: 1.01, baseAmount: 8_700 },
  ] as RangePosition[],
};

export const ARBITRAGEUR_FUNDS = {
  weth: 10_000_000n * 10n ** 18n,
  usdc: 100_000_000_000n * 10n ** 6n,
  wbtc: 100_000n * 10n ** 8n,
  wsteth: 1_000_000n * 10n ** 18n,
};
