/**
 * Settings checks deploy/deploy-vault.ts runs before its first transaction: the same bounds the vault's
 * ManagementModule enforces on `initialize` (ILeverageVault / IVaultManagement NatSpec), against the market's own
 * risk parameters (Aave's LTV and liquidation threshold of the collateral), plus the integer ranges of the structs
 * the settings are encoded into (an out-of-range number would otherwise surface as an ethers `value out-of-bounds`
 * after the stack has been deployed). Returns every problem, one line each.
 */
import type { VaultSettings } from "./vault";

/** ManagementModule constants (contracts/vault/ManagementModule.sol). */
const LTV_SAFETY_BUFFER_BPS = 500;
const HEALTH_FLOOR_MARGIN_BPS = 200;
const UINT64_MAX_WAD = Math.floor((Number(2n ** 64n - 1n) / 1e18) * 100) / 100; // 18.44x: the largest leverage a uint64 wad holds

export interface MarketRisk {
  /** Aave LTV of the collateral, bps. */
  ltvBps: number;
  /** Aave liquidation threshold of the collateral, bps. */
  liquidationThresholdBps: number;
}

/** LTV at leverage L, bps: 1 - 1/L. */
const ltvBps = (leverage: number) => Math.round((1 - 1 / leverage) * 10_000);
/** The highest leverage whose LTV stays within `bps`. */
const leverageAt = (bps: number) => 1 / (1 - bps / 10_000);

export function checkVaultSettings(s: VaultSettings, market: MarketRisk): string[] {
  const problems: string[] = [];
  const p = (message: string) => problems.push(message);
  const maxTargetLtv = market.ltvBps - LTV_SAFETY_BUFFER_BPS;
  const maxBandLtv = market.liquidationThresholdBps - LTV_SAFETY_BUFFER_BPS;
  const fix = (x: number) => x.toFixed(2);

  for (const [name, value] of Object.entries({ targetLeverage: s.targetLeverage, minLeverage: s.minLeverage, maxLeverage: s.maxLeverage, takeProfitLeverage: s.takeProfitLeverage, volatilityFloorLeverage: s.volatilityFloorLeverage })) {
    if (!(value >= 1)) p(`${name} ${value}: a leverage is at least 1 (1x = no debt)`);
    else if (value > UINT64_MAX_WAD) p(`${name} ${value}: above ${UINT64_MAX_WAD.toFixed(2)}x, the largest a uint64 wad holds`);
  }
  if (problems.length) return problems;
  if (s.minLeverage > s.targetLeverage) p(`minLeverage ${s.minLeverage} is above targetLeverage ${s.targetLeverage}`);
  if (s.targetLeverage > s.maxLeverage) p(`targetLeverage ${s.targetLeverage} is above maxLeverage ${s.maxLeverage}`);
  if (s.targetLeverage > 1 && ltvBps(s.targetLeverage) > maxTargetLtv) {
    p(`targetLeverage ${s.targetLeverage} needs an LTV of ${ltvBps(s.targetLeverage)} bps; the market allows ${market.ltvBps} less a ${LTV_SAFETY_BUFFER_BPS} bps buffer: at most ${fix(leverageAt(maxTargetLtv))}x`);
  }
  if (s.maxLeverage > 1 && ltvBps(s.maxLeverage) > maxBandLtv) {
    p(`maxLeverage ${s.maxLeverage} reaches an LTV of ${ltvBps(s.maxLeverage)} bps; the liquidation threshold ${market.liquidationThresholdBps} less ${LTV_SAFETY_BUFFER_BPS} bps allows at most ${fix(leverageAt(maxBandLtv))}x`);
  }
  if (!(s.minHealthFactor > 1)) p(`minHealthFactor ${s.minHealthFactor} must be above 1`);
  if (!(s.criticalHealthFactor > 1)) p(`criticalHealthFactor ${s.criticalHealthFactor} must be above 1`);
  if (s.criticalHealthFactor > s.minHealthFactor) p(`criticalHealthFactor ${s.criticalHealthFactor} is above minHealthFactor ${s.minHealthFactor}`);
  if (s.targetLeverage > 1) {
    const hfAtTarget = market.liquidationThresholdBps / ltvBps(s.targetLeverage);
    if (s.minHealthFactor * (1 + HEALTH_FLOOR_MARGIN_BPS / 10_000) > hfAtTarget) {
      p(`minHealthFactor ${s.minHealthFactor} (+${HEALTH_FLOOR_MARGIN_BPS / 100}% margin) is above the health factor at the target, ${hfAtTarget.toFixed(3)}: lower the floor or the target`);
    }
  }
  if (s.takeProfitLeverage > s.targetLeverage) p(`takeProfitLeverage ${s.takeProfitLeverage} is above targetLeverage ${s.targetLeverage}`);
  if (s.volatilityFloorLeverage > s.targetLeverage) p(`volatilityFloorLeverage ${s.volatilityFloorLeverage} is above targetLeverage ${s.targetLeverage}`);
  if (!(s.maxSlippageBps >= 1 && s.maxSlippageBps <= 500)) p(`maxSlippageBps ${s.maxSlippageBps} must be in [1, 500]`);
  for (const [name, value] of Object.entries({ maxDexDeviationBps: s.maxDexDeviationBps, maxEquityLossBps: s.maxEquityLossBps })) {
    if (!(value >= 1 && value <= 1000)) p(`${name} ${value} must be in [1, 1000]`);
  }
  if (s.maxEquityLossBps < s.maxSlippageBps) p(`maxEquityLossBps ${s.maxEquityLossBps} is below maxSlippageBps ${s.maxSlippageBps} (plus the flash premium)`);
  if (!(s.ripcordRewardBps >= 0 && s.ripcordRewardBps <= 100)) p(`ripcordRewardBps ${s.ripcordRewardBps} must be in [0, 100]`);
  if (!(s.maxTradeSize > 0)) p(`maxTradeSize ${s.maxTradeSize} must be above 0`);
  if (!(s.cooldown >= 0 && s.cooldown <= 7 * 86_400)) p(`cooldown ${s.cooldown} s must be in [0, 7 days]`);
  if (s.stopLossPrice < 0 || s.takeProfitPrice < 0) p("stop-loss and take-profit prices cannot be negative");
  if (s.stopLossPrice > 0 && s.takeProfitPrice > 0 && s.stopLossPrice >= s.takeProfitPrice) {
    p(`stopLossPrice ${s.stopLossPrice} must be below takeProfitPrice ${s.takeProfitPrice}`);
  }
  if (!(s.trailBps >= 0 && s.trailBps < 5000)) p(`trailBps ${s.trailBps} must be in [0, 5000)`);
  if (s.volatilityHorizon !== 0) {
    if (!(s.volatilityHorizon >= 600 && s.volatilityHorizon <= 7 * 86_400)) p(`volatilityHorizon ${s.volatilityHorizon} s must be 0 (off) or in [600, 604800]`);
    if (!(s.sigmaMultiple >= 1 && s.sigmaMultiple <= 10)) p(`sigmaMultiple ${s.sigmaMultiple} must be in [1, 10]`);
    if (!(s.volatilityRounds >= 2 && s.volatilityRounds <= 48)) p(`volatilityRounds ${s.volatilityRounds} must be in [2, 48]`);
  }
  return problems;
}
