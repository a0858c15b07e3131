/**
 * Vault settings the backtester uses for a given target leverage: a band of +-10% of (L - 1) around the target,
 * a health-factor floor between liquidation and the band top, a 1 h cooldown (rows are hourly). Every field
 * can be overridden; the contract validates the result (VaultInvalidLeverageConfig and friends).
 * At a 3x target the vaults are volatility-aware as in the 3x preset (PRESET_3X: 3 sigma over 6 h from the last 8
 * feed rounds, not below 1.5x); `volatilityHorizon: 0` (CLI `--volatility-horizon 0`) turns it off.
 */
import { VOLATILITY_3X, defaultSettings, type VaultSettings } from "../deploy/vault";
import { RESERVE_PARAMS } from "../market/market";

/** Aave liquidation threshold of the collateral (WETH), as a fraction. */
export const LIQUIDATION_THRESHOLD = Number(RESERVE_PARAMS.WETH.liquidationThreshold) / 10_000;

/** Aave health factor of a position held at `leverage`: HF = LT * L / (L - 1); Infinity at 1x. */
export function healthFactorAt(leverage: number, liquidationThreshold = LIQUIDATION_THRESHOLD): number {
  return leverage <= 1 ? Infinity : (liquidationThreshold * leverage) / (leverage - 1);
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

export interface BandOptions {
  /** Half-width of the band as a fraction of (L - 1); 0.1 = +-10%. */
  bandFraction?: number;
}

/** Volatility-aware leverage defaults at `targetLeverage`: the 3x preset's at 3x, off at any other target. */
export function backtestVolatilityDefaults(targetLeverage: number): Partial<VaultSettings> {
  return targetLeverage === 3 ? { ...VOLATILITY_3X } : {};
}

/** Backtest defaults for `targetLeverage`, then `overrides` on top. */
export function backtestSettings(
  targetLeverage: number,
  overrides: Partial<VaultSettings> = {},
  { bandFraction = 0.1 }: BandOptions = {},
): VaultSettings {
  const base = defaultSettings(targetLeverage);
  const halfBand = bandFraction * (targetLeverage - 1);
  const minLeverage = round(Math.max(1, targetLeverage - halfBand));
  const maxLeverage = round(targetLeverage + halfBand);
  // Floor halfway between liquidation (1.0) and the HF at the band top, at most 1.1; critical halfway to the floor.
  const minHealthFactor = targetLeverage <= 1 ? 1.1 : round(Math.min(1.1, (1 + healthFactorAt(maxLeverage)) / 2), 3);
  const criticalHealthFactor = round(Math.min(1.05, (1 + minHealthFactor) / 2), 3);
  const settings: VaultSettings = {
    ...base,
    minLeverage,
    maxLeverage,
    minHealthFactor,
    criticalHealthFactor,
    cooldown: 3600,
    ...backtestVolatilityDefaults(targetLeverage),
    ...overrides,
  };
  return settings;
}
