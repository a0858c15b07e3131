/**
 * Vault presets by name, the same names everywhere (`npm run demo -- --preset NAME`, `VAULT_PRESET=NAME npm run
 * deploy`, `npm run backtest -- --preset NAME`, `npm run bench:gas -- --preset NAME`, the parameterised tests). A
 * preset is a pair (collateral and debt token keys of the market, e-mode or not) and human-unit settings over
 * `defaultSettings(target)`: amounts in the collateral's or the debt's own tokens, prices in debt per collateral
 * (the contracts' price). Stops are written in the preset's *reference price* (ETH/USD, BTC/USD, or the
 * wstETH/ETH rate) and converted for the pair by `presetSettings`.
 *
 * Exposure per unit of equity E at leverage L (collateral value L*E, debt (L-1)*E):
 *   - volatile collateral, stable debt (long): +L x the asset;
 *   - stable collateral, volatile debt (short): the debt is the only ETH held, so -(L-1) x ETH. A "2x" short is
 *     -1x ETH, not -2x;
 *   - wstETH collateral, WETH debt (loop): +L*r - (L-1) ~ +1x ETH, and +L x the wstETH/ETH rate (a depeg of d
 *     costs L*d of equity); it earns the carry L*staking yield - (L-1)*WETH borrow rate.
 */
import { PRESET_3X, VOLATILITY_3X, defaultSettings, LOCAL_DECIMALS, type PairDecimals, type TokenKey, type VaultPair, type VaultSettings } from "./vault";

export type { TokenKey } from "./vault";

export const PRESET_NAMES = ["eth-long-3x", "eth-short-2x", "btc-long-2x", "wsteth-loop"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

import type { Venue } from "./venues";
/** The lending venue a vault borrows on (defined with the venue ids in ./venues). */
export type { Venue };

/** The price a preset's stops and story are written in, and what moves it on the local market. */
export type ReferencePrice = "ETH/USD" | "BTC/USD" | "wstETH/ETH";

/** Stops in the preset's reference price (0 = off); converted to the pair's price by `presetSettings`. */
export interface ReferenceStops {
  /** Reference price at which the position is closed against it (long: a fall to it; short: a rally to it). */
  stopLoss: number;
  /** Reference price at which profits are taken (long: a rise to it; short: a fall to it). */
  takeProfit: number;
}
/** Stops of the ETH presets, as ETH/USD prices (the same shape as ReferenceStops). */
export type EthStops = ReferenceStops;

export interface Preset {
  name: PresetName;
  available: true;
  collateral: TokenKey;
  debt: TokenKey;
  /** Borrows in Aave's ETH-correlated efficiency mode (category 1 on Aave V3 Ethereum and on the local market). */
  eMode: boolean;
  /** The reference price; the pair's price is it (+1) or its inverse (-1). */
  reference: ReferencePrice;
  /** +1: the collateral is the reference asset (long, loop); -1: the debt is (short). */
  direction: 1 | -1;
  /** One line: what the position is and its exposure per unit of equity. */
  description: string;
  /** The risks a holder takes, one line each (README, docs/PROTECTION.md, vault:status). */
  risks: string[];
  /** Settings over `defaultSettings(targetLeverage)`; prices in them, if any, are debt per collateral. */
  settings: Partial<VaultSettings>;
  /** The venues the preset runs on (Aave first, the default) and what each changes in its settings. */
  venues: Partial<Record<Venue, Partial<VaultSettings>>>;
}
/** Every preset is available on the local market (kept as a name for the tooling that imports it). */
export type AvailablePreset = Preset;

/** ETH exposure per unit of equity of a vault at `leverage`: +L for ETH collateral, -(L-1) for ETH debt. */
export function ethExposure(direction: 1 | -1, leverage: number): number {
  return direction === 1 ? leverage : -(leverage - 1);
}

/** What a vault's exposure is written against: its reference price and which leg holds it. */
export type Exposure = Pick<Preset, "reference" | "direction">;

const STABLECOINS = /^(USDC|USDT|DAI|USDC\.e|USDbC|GHO)$/;

/**
 * The exposure of a vault read from its tokens' symbols (vault:status on any vault): a stablecoin collateral is a
 * short of the debt, a staked-ETH collateral against WETH a loop on the rate, anything else a long of the collateral.
 */
export function exposureOf(assetSymbol: string, debtSymbol: string): Exposure & { asset: string } {
  if (STABLECOINS.test(assetSymbol)) return { reference: "ETH/USD", direction: -1, asset: debtSymbol.replace(/^W(ETH|BTC)$/, "$1") };
  if (/stETH$/i.test(assetSymbol) && /^W?ETH$/.test(debtSymbol)) return { reference: "wstETH/ETH", direction: 1, asset: assetSymbol };
  return { reference: /BTC/.test(assetSymbol) ? "BTC/USD" : "ETH/USD", direction: 1, asset: assetSymbol.replace(/^W(ETH|BTC)$/, "$1") };
}

/** What one unit of equity is exposed to at `leverage`, in words (vault:status, the demo, the docs). */
export function exposureText(preset: Exposure & { asset?: string }, leverage: number): string {
  const l = leverage.toFixed(2);
  if (preset.reference === "wstETH/ETH") return `~+1x ETH and +${l}x the wstETH/ETH rate (a 1% depeg costs ~${l}% of equity)`;
  if (preset.reference === "BTC/USD" && preset.direction === 1) return `+${l}x BTC`;
  const asset = preset.asset ?? "ETH";
  return `${ethExposure(preset.direction, leverage) > 0 ? "+" : ""}${ethExposure(preset.direction, leverage).toFixed(2)}x ${asset}`;
}

export const PRESETS: Record<PresetName, Preset> = {
  "eth-long-3x": {
    name: "eth-long-3x",
    available: true,
    collateral: "WETH",
    debt: "USDC",
    eMode: false,
    reference: "ETH/USD",
    direction: 1,
    description:
      "3x long ETH: WETH collateral, USDC debt; +3x ETH exposure per unit of equity (band 2.7x-3.3x, volatility-aware target)",
    risks: ["an ETH fall (3x on equity)", "a gap down faster than the keeper (the ripcord and the HF floor bound it)"],
    settings: { ...PRESET_3X, name: "Levered WETH 3x", symbol: "lvWETH3x" },
    // Morpho's WETH/USDC market (LLTV 86 %) keeps the same settings: 3x sits at HF 1.29 there.
    venues: { aave: {}, morpho: {} },
  },
  "eth-short-2x": {
    name: "eth-short-2x",
    available: true,
    collateral: "USDC",
    debt: "WETH",
    eMode: false,
    reference: "ETH/USD",
    direction: -1,
    description:
      "2x short ETH: USDC collateral, WETH debt; leverage 2 on USDC = -1x ETH exposure per unit of equity (-(L-1)), a rally is the adverse move",
    risks: ["an ETH rally (-1x on equity at 2x, growing as the debt grows)", "WETH borrow rate"],
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
      // Volatility-aware leverage on ETH's volatility: the vault reads it from the debt's feed (the variance feed).
      ...VOLATILITY_3X,
      volatilityFloorLeverage: 1.25,
    },
    venues: { aave: {} },
  },
  "btc-long-2x": {
    name: "btc-long-2x",
    available: true,
    collateral: "WBTC",
    debt: "USDC",
    eMode: false,
    reference: "BTC/USD",
    direction: 1,
    description: "2x long BTC: WBTC (8 decimals) collateral, USDC debt; +2x BTC exposure per unit of equity (band 1.75x-2.25x)",
    risks: ["a BTC fall (2x on equity)", "WBTC's peg to BTC (the feed is BTC/USD)"],
    settings: {
      name: "Levered WBTC 2x",
      symbol: "lvWBTC2x",
      targetLeverage: 2,
      minLeverage: 1.75,
      maxLeverage: 2.25,
      minHealthFactor: 1.25,
      criticalHealthFactor: 1.1,
      // The deep WBTC/USDC pool is the 0.3 % tier.
      swapFee: 3000,
      // WBTC units (8 decimals) and USDC.
      depositCap: 500,
      ripcordRewardCap: 0.02,
      maxTradeSize: 250_000,
      ...VOLATILITY_3X,
    },
    venues: { aave: {} },
  },
  "wsteth-loop": {
    name: "wsteth-loop",
    available: true,
    collateral: "wstETH",
    debt: "WETH",
    eMode: true,
    reference: "wstETH/ETH",
    direction: 1,
    description:
      "wstETH/WETH loop at 8x in Aave's ETH-correlated e-mode (LT 95 %): ~+1x ETH, +8x the wstETH/ETH rate; earns 8x staking yield less 7x the WETH borrow rate",
    risks: [
      "a wstETH/ETH depeg: 8x on equity (June 2022: about -6.5 % over weeks); the automation acts on the rate",
      "carry: a WETH borrow rate above the staking yield makes the loop lose money while nothing moves",
    ],
    settings: {
      name: "wstETH Loop 8x",
      symbol: "lvwstETH8x",
      // The highest target the vault's own guards accept in e-mode: target LTV <= 93 % - 5 % (8.33x), and the HF
      // floor 2 % under the target's HF (0.95 * 8/7 = 1.086). 8x, floor 1.06, ripcord below 1.03.
      targetLeverage: 8,
      minLeverage: 7.5,
      maxLeverage: 8.5,
      minHealthFactor: 1.06,
      criticalHealthFactor: 1.03,
      // The 0.01 % wstETH/WETH pool: a peg trade, tight bounds.
      swapFee: 100,
      maxSlippageBps: 30,
      maxDexDeviationBps: 50,
      maxEquityLossBps: 60,
      // wstETH units (collateral) and WETH (debt).
      depositCap: 20_000,
      ripcordRewardCap: 0.5,
      maxTradeSize: 1_000,
      // Volatility of the rate (the variance feed is wstETH/ETH), not of ETH.
      ...VOLATILITY_3X,
      volatilityFloorLeverage: 4,
    },
    // Morpho's wstETH/WETH market (LLTV 94.5 %): 8x sits at HF 0.945 x 8/7 = 1.080, so the floor (kept 2 % under
    // it by the vault's guards) is 1.055.
    venues: { aave: {}, morpho: { minHealthFactor: 1.055 } },
  },
};

/** An unknown preset: a user error, printed as its one line without a stack. */
export class PresetError extends Error {}

/** The preset called `name`; throws a one-line PresetError for an unknown one. */
export function getPreset(name: string): Preset {
  const preset = PRESETS[name as PresetName];
  if (!preset) throw new PresetError(`unknown preset '${name}'; presets: ${PRESET_NAMES.join(", ")}`);
  return preset;
}

export const availablePresets = (): Preset[] => PRESET_NAMES.map((n) => PRESETS[n]);

/** Every (preset, venue) pair the presets run on, Aave first. */
export const presetVenues = (): { preset: Preset; venue: Venue }[] =>
  availablePresets().flatMap((preset) => (Object.keys(preset.venues) as Venue[]).map((venue) => ({ preset, venue })));

/**
 * The pair's price (debt per collateral) at reference price `reference`, the stable side at $1: the reference for
 * the long and the loop (USDC per WETH or WBTC, WETH per wstETH), its inverse for the short (WETH per USDC). A
 * long's stop-loss `price <= stop` fires on a fall; the short's fires when WETH per USDC falls, i.e. on a rally.
 */
export function pairPrice(preset: Preset, reference: number): number {
  return preset.direction === 1 ? reference : 1 / reference;
}

/**
 * The preset's full settings (defaults filled), with stops given in the reference price converted to the pair's
 * price. For a short the stop-loss (a rally) becomes the pair's low bound and the take-profit (a fall) its high one.
 */
export function presetSettings(
  preset: Preset,
  stops: Partial<ReferenceStops> = {},
  overrides: Partial<VaultSettings> = {},
  venue: Venue = "aave",
): VaultSettings {
  const venueSettings = preset.venues[venue];
  if (!venueSettings) throw new PresetError(`preset '${preset.name}' does not run on ${venue}; venues: ${Object.keys(preset.venues).join(", ")}`);
  const converted: Partial<VaultSettings> = {};
  if (stops.stopLoss) converted.stopLossPrice = pairPrice(preset, stops.stopLoss);
  if (stops.takeProfit) converted.takeProfitPrice = pairPrice(preset, stops.takeProfit);
  const s = { ...preset.settings, ...venueSettings, ...converted, ...overrides };
  return { ...defaultSettings(s.targetLeverage, { collateral: preset.collateral }), ...s };
}

/** The preset's pair on the local market. */
export function localPair(preset: Preset): VaultPair {
  return { collateral: preset.collateral, debt: preset.debt, eMode: preset.eMode };
}

/** Decimals of the preset's tokens on the local market. */
export function localDecimals(preset: Preset): PairDecimals {
  return { collateral: LOCAL_DECIMALS[preset.collateral], debt: LOCAL_DECIMALS[preset.debt] };
}
