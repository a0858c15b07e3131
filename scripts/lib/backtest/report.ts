/**
 * Writes a backtest run: `backtest.json` (summary per position, settings, events), `series.csv` (one line per
 * row) and `chart.svg`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { renderChartSvg } from "./chart";
import { pathMetrics, round, spotMetrics, vaultMetrics } from "./metrics";
import { HF_CAP, type BacktestRun } from "./replay";

export const REPORT_UNITS = {
  finalEquity: "USD",
  initialEquity: "USD",
  liquidatedDebt: "USDC",
  collateralSeized: "WETH",
  ripcordRewards: "WETH",
  maxDrawdownPct: "percent of the running peak of equity (peak before trough), rows sampled after actions",
  returnPct: "percent of the deposited collateral valued at the first price",
  minHealthFactor: `Aave health factor; ${HF_CAP} = no debt (cap)`,
  keeperGas: "gas units (successful keeper transactions; reverting calls are simulated first and never sent)",
  leverage: "collateral value / equity; null when equity is 0",
  price: "USD per ETH",
} as const;

/** How the replay models the world, in words, for whoever reads the JSON without the code. */
export function modelNotes(run: BacktestRun) {
  const { reactionDelay, keeperFirst, followLiquidity, uniswapDepth } = run.options;
  return {
    market:
      "real Aave V3 + Uniswap V3 bytecode on the in-process Hardhat network; at each row the chain clock moves to the " +
      "row's time, the ETH/USD feed is set to the row's price and both Uniswap pools are arbitraged to it with real swaps",
    order: keeperFirst
      ? `the keeper acts ${reactionDelay} s after each price update, liquidators ${reactionDelay} s after it`
      : `liquidators act ${reactionDelay} s after each price update (Aave liquidationCall while HF < 1, on both vaults), ` +
        `the managed vault's keeper ${reactionDelay} s after them, then liquidators again`,
    keeper:
      "calls rebalance() while trigger() (simulated on the pending block) says so, at most " +
      `${run.options.maxKeeperCallsPerRow} per row; ripcord() while HF < critical; poke() at new highs when a trailing ` +
      "stop is set; every call is gas-estimated first, so reverting calls are recorded in keeperFailures and cost no gas",
    unmanaged: "the same vault contract and settings, same deposit, no keeper: only liquidators act on it",
    spot: "the deposited WETH held, valued at the row's price",
    liquidity: followLiquidity
      ? `the LP re-centres its concentrated Uniswap positions on the price when it leaves the middle half of their range (depth x${uniswapDepth})`
      : `the concentrated Uniswap positions stay centred on the first price (range /1.5..x1.5), as deployMarket built them (depth x${uniswapDepth}); beyond that range only the thin full-range liquidity is left`,
    sampling: "equity, leverage and HF are sampled after each row's actions; minHealthFactor also counts the HF on arrival of each price and before each action or liquidation",
  };
}

export function buildReport(run: BacktestRun, input: { file: string; seconds: number }) {
  return {
    units: REPORT_UNITS,
    model: modelNotes(run),
    input: { file: input.file, ...pathMetrics(run.rows) },
    managed: vaultMetrics(run, "managed"),
    unmanaged: vaultMetrics(run, "unmanaged"),
    spot: spotMetrics(run),
    settings: run.settings,
    options: run.options,
    runtime: {
      totalSeconds: round(input.seconds, 2),
      setupSeconds: round(run.timing.setupSeconds, 2),
      replaySeconds: round(run.timing.replaySeconds, 2),
      msPerRow: round(run.timing.msPerRow, 1),
    },
    events: {
      keeperActions: run.keeperActions,
      keeperFailures: run.keeperFailures,
      liquidations: run.liquidations,
      liquidationFailures: run.liquidationFailures,
      liquidityMoves: run.liquidityMoves,
    },
  };
}

export type BacktestReport = ReturnType<typeof buildReport>;

export function seriesCsv(run: BacktestRun): string {
  const header = [
    "timestamp", "price",
    "managed_equity", "managed_leverage", "managed_hf", "managed_hf_on_arrival", "managed_collateral", "managed_debt", "managed_mode",
    "unmanaged_equity", "unmanaged_leverage", "unmanaged_hf", "unmanaged_hf_on_arrival", "unmanaged_collateral", "unmanaged_debt",
    "spot_equity",
  ];
  const lines = run.rows.map((r) => {
    const v = (s: typeof r.managed) => [s.equity, s.leverage ?? "", s.healthFactor, s.healthFactorOnArrival, s.collateral, s.debt];
    return [r.timestamp, r.price, ...v(r.managed), r.managedMode, ...v(r.unmanaged), r.spotEquity].join(",");
  });
  return [header.join(","), ...lines].join("\n") + "\n";
}

/** Writes the three files into `outDir` (created); returns their paths. */
export async function writeReport(run: BacktestRun, report: BacktestReport, outDir: string, title: string) {
  mkdirSync(outDir, { recursive: true });
  const files = {
    json: path.join(outDir, "backtest.json"),
    csv: path.join(outDir, "series.csv"),
    chart: path.join(outDir, "chart.svg"),
  };
  writeFileSync(files.json, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(files.csv, seriesCsv(run));
  writeFileSync(files.chart, await renderChartSvg(run, title));
  return files;
}
