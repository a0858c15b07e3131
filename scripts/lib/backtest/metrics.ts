/**
 * Summary figures of a backtest run. Equity in USD; drawdowns and returns in percent; health factors plain
 * ratios capped at HF_CAP (no debt); gas in gas units.
 */
import { HF_CAP, type AnyPosition, type BacktestRun, type PositionName, type RowRecord, type VaultSample } from "./replay";

export interface VaultMetrics {
  liquidations: number;
  minHealthFactor: number;
  maxDrawdownPct: number;
  finalEquity: number;
  keeperActions: number;
  keeperGas: number;
  initialEquity: number;
  /** Final equity vs the deposited collateral valued at the first price. */
  returnPct: number;
  finalLeverage: number | null;
  maxLeverage: number | null;
  finalHealthFactor: number;
  /** USDC repaid and WETH seized by liquidators. */
  liquidatedDebt: number;
  collateralSeized: number;
  keeperActionsByType: Record<string, number>;
  keeperGasByType: Record<string, number>;
  /** USD of equity the keeper's actions cost at oracle prices (price impact, pool fees, flash premium, rewards). */
  keeperEquityCost: number;
  /** Keeper calls refused (simulation: nothing sent; sent: failed on chain) or scans whose trigger() reverted, by error name. */
  keeperFailures: number;
  keeperFailuresByError: Record<string, number>;
  /** Of those, transactions that were sent and failed on chain (gas spent). */
  keeperFailuresSent: number;
  /** WETH paid out by ripcord calls. */
  ripcordRewards: number;
  /** Rows whose health factor (on arrival or after actions) was below the vault's floor. */
  rowsBelowMinHealthFactor: number;
  finalMode?: string;
}

export interface SpotMetrics {
  liquidations: 0;
  maxDrawdownPct: number;
  finalEquity: number;
  initialEquity: number;
  returnPct: number;
}

export interface PathMetrics {
  rows: number;
  start: string;
  end: string;
  firstPrice: number;
  lastPrice: number;
  minPrice: number;
  maxPrice: number;
  maxDrawdownPct: number;
}

/** Largest peak-to-trough fall, in percent of the peak (peak before trough). */
export function maxDrawdownPct(values: number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const v of values) {
    if (v > peak) peak = v;
    if (peak > 0) worst = Math.max(worst, (peak - v) / peak);
  }
  return round(worst * 100, 4);
}

export function round(x: number, digits = 6): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : x;
}

const countBy = <T>(items: T[], key: (t: T) => string, value: (t: T) => number = () => 1) => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + value(item);
  return out;
};

/** The error's name without its arguments: `SwapSlippageExceeded(1, 2)` -> `SwapSlippageExceeded`. */
const errorName = (e: string) => e.replace(/\s*\(.*$/s, "");

const isVault = (p: AnyPosition): p is PositionName => p === "managed" || p === "unmanaged";

/**
 * Figures of one position: a vault, or a peer strategy (./peers), whose transactions are counted as the managed
 * vault's keeper actions are (keeperActions, keeperGas, keeperFailures...: the peer's executor is its keeper).
 */
export function vaultMetrics(run: BacktestRun, position: AnyPosition): VaultMetrics {
  const rows = run.rows;
  const samples: VaultSample[] = rows.map((r) => (isVault(position) ? r[position] : r.peers![position]!));
  const equity = samples.map((s) => s.equity);
  const liquidations = run.liquidations.filter((l) => l.position === position);
  const managed = position === "managed";
  type Act = { action: string; gas: number; equityCost: number; reward?: number; healthFactorBefore: number };
  type Fail = { action: string; error: string; stage: string };
  const actions: Act[] = managed ? run.keeperActions : isVault(position) ? [] : (run.peers?.actions ?? []).filter((a) => a.peer === position);
  const failures: Fail[] = managed ? run.keeperFailures : isVault(position) ? [] : (run.peers?.failures ?? []).filter((f) => f.peer === position);
  // Every health factor the position had: on arrival of each price, after each action, before each liquidation.
  const hfs = [
    ...samples.flatMap((s) => [s.healthFactor, s.healthFactorOnArrival]),
    ...liquidations.map((l) => l.healthFactorBefore),
    ...actions.map((a) => a.healthFactorBefore),
  ];
  const leverages = samples.map((s) => s.leverage).filter((l): l is number => l !== null);
  // The deposited collateral valued at the first price (USD).
  const depositedValue = rows[0].spotEquity;
  const last = samples[samples.length - 1];
  const floor = run.settings.minHealthFactor;
  // Every price update's samples (on arrival and after the actors), not only the row ends.
  const extremes = run.extremes[position]!;
  return {
    liquidations: liquidations.length,
    minHealthFactor: round(Math.min(...hfs, extremes.minHealthFactor, HF_CAP)),
    maxDrawdownPct: Math.max(maxDrawdownPct(equity), round(extremes.maxDrawdownPct, 4)),
    finalEquity: round(last.equity, 2),
    keeperActions: actions.length,
    keeperGas: actions.reduce((sum, a) => sum + a.gas, 0),
    initialEquity: round(equity[0], 2),
    returnPct: round(((last.equity - depositedValue) / depositedValue) * 100, 4),
    finalLeverage: last.leverage === null ? null : round(last.leverage),
    maxLeverage: leverages.length ? round(Math.max(...leverages)) : null,
    finalHealthFactor: round(last.healthFactor),
    liquidatedDebt: round(liquidations.reduce((s, l) => s + l.debtRepaid, 0), 2),
    collateralSeized: round(liquidations.reduce((s, l) => s + l.collateralSeized, 0)),
    keeperActionsByType: countBy(actions, (a) => a.action),
    keeperGasByType: countBy(actions, (a) => a.action, (a) => a.gas),
    keeperEquityCost: round(actions.reduce((sum, a) => sum + a.equityCost, 0), 2),
    keeperFailures: failures.length,
    keeperFailuresByError: countBy(failures, (f) => `${f.action}: ${errorName(f.error)}`),
    keeperFailuresSent: failures.filter((f) => f.stage === "sent").length,
    ripcordRewards: round(actions.reduce((s, a) => s + (a.reward ?? 0), 0)),
    rowsBelowMinHealthFactor: samples.filter((s) => Math.min(s.healthFactor, s.healthFactorOnArrival) < floor).length,
    ...(managed ? { finalMode: rows[rows.length - 1].managedMode } : {}),
  };
}

export function spotMetrics(run: BacktestRun): SpotMetrics {
  const equity = run.rows.map((r) => r.spotEquity);
  return {
    liquidations: 0,
    maxDrawdownPct: maxDrawdownPct(equity),
    finalEquity: round(equity[equity.length - 1], 2),
    initialEquity: round(equity[0], 2),
    returnPct: round(((equity[equity.length - 1] - equity[0]) / equity[0]) * 100, 4),
  };
}

export function pathMetrics(rows: RowRecord[]): PathMetrics {
  const prices = rows.map((r) => r.price);
  const iso = (t: number) => new Date(t * 1000).toISOString();
  return {
    rows: rows.length,
    start: iso(rows[0].timestamp),
    end: iso(rows[rows.length - 1].timestamp),
    firstPrice: prices[0],
    lastPrice: prices[prices.length - 1],
    minPrice: Math.min(...prices),
    maxPrice: Math.max(...prices),
    maxDrawdownPct: maxDrawdownPct(prices),
  };
}
