/**
 * Vault presets by name, the same names everywhere (`npm run demo -- --preset NAME`, `VAULT_PRESET=NAME npm run
 * deploy`, test/presets/lifecycle.test.ts). A preset is a pair (collateral and debt token keys of the market) and
 * human-unit settings over `defaultSettings(target)`: amounts in the collateral's or the debt's own tokens, prices in
 * debt per collateral (the contracts' price). Presets whose stops are naturally ETH prices give them as `ethStops`
 * and `presetSettings` converts them for the pair.
 *
 * Exposure per unit of equity E at leverage L (collateral value L*E, debt (L-1)*E):
 *   - volatile collateral, stable debt (long): +L x the asset;
 *   - stable collateral, volatile debt (short): the debt is the only ETH held, so -(L-1) x ETH. A "2x" short is
 *     -1x ETH, not -2x.
 */
import { LOCAL_DECIMALS, PRESET_3X, defaultSettings, type PairDecimals, type VaultPair, type VaultSettings } from "./vault";

/** Token keys of a market's assets. The local market has WETH and USDC reserves only. */
export type TokenKey = "WETH" | "USDC" | "WBTC" | "wstETH";

export const PRESET_NAMES = ["eth-long-3x", "eth-short-2x", "btc-long-2x", "wsteth-loop"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Stops written as ETH/USD prices (0 = off); converted to the pair's price by `presetSettings`. */
export interface EthStops {
  /** ETH/USD at which the position is closed against it (long: a fall to it; short: a rally to it). */
  stopLoss: number;
  /** ETH/USD at which profits are taken (long: a rise to it; short: a fall to it). */
  takeProfit: number;
}

export interface AvailablePreset {
  name: PresetName;
  available: true;
  collateral: TokenKey;
  debt: TokenKey;
  /** Which way the vault is exposed to ETH: +1 long (ETH collateral), -1 short (ETH debt). */
  direction: 1 | -1;
  /** One line: what the position is and its exposure per unit of equity. */
  description: string;
  /** Settings over `defaultSettings(targetLeverage)`; prices in them, if any, are debt per collateral. */
  settings: Partial<VaultSettings>;
  /** Stops as ETH prices, converted by `presetSettings` (the demo and deploy pass their own). */
  ethStops?: Partial<EthStops>;
}

export interface UnavailablePreset {
  name: PresetName;
  available: false;
  collateral: TokenKey;
  debt: TokenKey;
  description: string;
  /** What the market lacks for it, one line. */
  missing: string;
}

export type Preset = AvailablePreset | UnavailablePreset;

/** ETH exposure per unit of equity of a vault at `leverage`: +L for ETH collateral, -(L-1) for ETH debt. */
export function ethExposure(direction: 1 | -1, leverage: number): number {
  return direction === 1 ? leverage : -(leverage - 1);
}

export const PRESETS: Record<PresetName, Preset> = {
  "eth-long-3x": {
    name: "eth-long-3x",
    available: true,
    collateral: "WETH",
    debt: "USDC",
    direction: 1,
    description:
      "3x long ETH: WETH collateral, USDC debt; +3x ETH exposure per unit of equity (band 2.7x-3.3x, volatility-aware target)",
    settings: { ...PRESET_3X, name: "Levered WETH 3x", symbol: "lvWETH3x" },
  },
  "eth-short-2x": {
    name: "eth-short-2x",
    available: true,
    collateral: "USDC",
    debt: "WETH",
    direction: -1,
    description:
      "2x short ETH: USDC collateral, WETH debt; leverage 2 on USDC = -1x ETH exposure per unit of equity (-(L-1)), a rally is the adverse move",
    settings: {
      name: "Short ETH 2x (USDC)",
      symbol: "sETH2xUSDC",
      targetLeverage: 2,
      minLeverage: 1.75,
      maxLeverage: 2.25,
      minHealthFactor: 1.2,
      criticalHealthFactor: 1.08,
      // Amounts in each token's own units: USDC collateral, WETH debt.
      depositCap: 20_000_000,
      ripcordRewardCap: 2_000,
      maxTradeSize: 125,
      // Volatility-aware leverage OFF: the contract reads sigma from the collateral feed only (USDC/USD, sigma ~ 0),
      // so it would never protect a short against ETH's volatility. Needs a pair variance source (issue 17).
      volatilityHorizon: 0,
    },
  },
  "btc-long-2x": {
    name: "btc-long-2x",
    available: false,
    collateral: "WBTC",
    debt: "USDC",
    description: "2x long BTC: WBTC (8 decimals) collateral, USDC debt; +2x BTC exposure per unit of equity",
    missing: "the local market has no WBTC reserve, no BTC/USD feed and no WBTC/USDC Uniswap pool",
  },
  "wsteth-loop": {
    name: "wsteth-loop",
    available: false,
    collateral: "wstETH",
    debt: "WETH",
    description: "wstETH/WETH loop in e-mode: ~+1x ETH, levered exposure to the wstETH/ETH ratio (depeg) and carry",
    missing:
      "the local market has no wstETH reserve, no wstETH/ETH ratio feed, no ETH-correlated e-mode category and no wstETH/WETH pool, and the vault has no setUserEMode",
  },
};

/** An unknown or unavailable preset: a user error, printed as its one line without a stack. */
export class PresetError extends Error {}

/** The preset called `name`; throws a one-line PresetError for an unknown or unavailable one. */
export function getPreset(name: string): AvailablePreset {
  const preset = PRESETS[name as PresetName];
  if (!preset) throw new PresetError(`unknown preset '${name}'; presets: ${PRESET_NAMES.join(", ")}`);
  if (!preset.available) throw new PresetError(`preset '${name}' is not available on this market yet: ${preset.missing}`);
  return preset;
}

export const availablePresets = (): AvailablePreset[] =>
  PRESET_NAMES.map((n) => PRESETS[n]).filter((p): p is AvailablePreset => p.available);

/**
 * The pair's price (debt per collateral) at ETH/USD `ethPrice`, with the stable side at $1: `ethPrice` for a long
 * (USDC per WETH), `1 / ethPrice` for a short (WETH per USDC). A long's stop-loss `price <= stop` fires on a fall;
 * the short's fires when WETH per USDC falls, i.e. on an ETH rally.
 */
export function pairPrice(preset: AvailablePreset, ethPrice: number): number {
  return preset.direction === 1 ? ethPrice : 1 / ethPrice;
}

/**
 * The preset's full settings (defaults filled), with stops given as ETH/USD prices converted to the pair's price.
 * For a short the stop-loss (ETH rally) becomes the pair's low bound and the take-profit (ETH fall) its high bound.
 */
export function presetSettings(preset: AvailablePreset, ethStops: Partial<EthStops> = {}, overrides: Partial<VaultSettings> = {}): VaultSettings {
  const stops = { ...preset.ethStops, ...ethStops };
  const converted: Partial<VaultSettings> = {};
  if (stops.stopLoss) converted.stopLossPrice = pairPrice(preset, stops.stopLoss);
  if (stops.takeProfit) converted.takeProfitPrice = pairPrice(preset, stops.takeProfit);
  const s = { ...preset.settings, ...converted, ...overrides };
  return { ...defaultSettings(s.targetLeverage, { collateral: preset.collateral }), ...s };
}

/** The preset's pair on the local market (WETH/USDC tokens only). */
export function localPair(preset: AvailablePreset): VaultPair {
  return { collateral: preset.collateral as VaultPair["collateral"], debt: preset.debt as VaultPair["debt"] };
}

/** Decimals of the preset's tokens on the local market. */
export function localDecimals(preset: AvailablePreset): PairDecimals {
  const pair = localPair(preset);
  return { collateral: LOCAL_DECIMALS[pair.collateral], debt: LOCAL_DECIMALS[pair.debt] };
}
