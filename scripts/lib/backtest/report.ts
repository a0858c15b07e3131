/**
 * Writes a backtest run: `backtest.json` (summary per position, settings, events), `series.csv` (one line per
 * row) and `chart.svg`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { renderChartSvg } from "./chart";
import { pathMetrics, round, spotMetrics, vaultMetrics } from "./metrics";
import { HF_CAP, type BacktestRun, type PeerName } from "./replay";

export const REPORT_UNITS = {
  finalEquity: "USD",
  initialEquity: "USD",
  liquidatedDebt: "USDC",
  collateralSeized: "WETH",
  ripcordRewards: "WETH",
  maxDrawdownPct: "percent of the running peak of equity (peak before trough), every price update sampled on arrival and after the actors",
  returnPct: "percent of the deposited collateral valued at the first price",
  minHealthFactor: `Aave health factor; ${HF_CAP} = no debt (cap)`,
  keeperGas: "gas units (successful keeper transactions; calls refused by the simulation are never sent)",
  leverage: "collateral value / equity; null when equity is 0",
  price: "USD per ETH",
} as const;

/** How the replay models the world, in words, for whoever reads the JSON without the code. */
export function modelNotes(run: BacktestRun) {
  const { reactionDelay, keeperFirst, followLiquidity, uniswapDepth, model, oracle, keeperLatencyBlocks, liquidatorLatencyBlocks } =
    run.options;
  const first = keeperFirst ? "the keeper" : "liquidators";
  const realistic = model === "realistic";
  return {
    model,
    market:
      "real Aave V3 + Uniswap V3 bytecode on the in-process Hardhat network. " +
      (realistic
        ? `Each interval is walked along its path (previous close -> the interval's low when the CSV gives one -> close, ` +
          `log-linear); the ETH/USD feed publishes when the market moves ${oracle.deviationBps} bps from its last answer or ` +
          `${oracle.heartbeat} s after it (${oracle.network} preset unless overridden); both Uniswap pools are arbitraged ` +
          "with real swaps to the market price at the moment the actors act (the DEX leads the feed); a CSV gap longer than " +
          "1.5 median row spacings is an oracle outage (no feed update until the row after it, pools follow the market)"
        : "At each row the chain clock moves to the row's time, the ETH/USD feed is set to the row's price and both Uniswap " +
          "pools are arbitraged to it with real swaps: one jump per row (the pessimistic bound)"),
    order: realistic
      ? `liquidators act ${liquidatorLatencyBlocks} block(s) and the keeper ${keeperLatencyBlocks} block(s) of ` +
        `${oracle.blockTime} s after each price update; ${first} first when due in the same block; liquidators come back ` +
        "after the keeper if the managed vault is still below HF 1"
      : keeperFirst
        ? `the keeper acts ${reactionDelay} s after each price update, liquidators ${reactionDelay} s after it`
        : `liquidators act ${reactionDelay} s after each price update (Aave liquidationCall while HF < 1, on both vaults), ` +
          `the managed vault's keeper ${reactionDelay} s after them, then liquidators again`,
    keeper:
      "the project's keeper bot (scripts/lib/keeper/keeper.ts keeperPass) over a registry holding only the managed vault: " +
      "KeeperLens scan, rebalance() simulated on the pending block then sent, ripcord() when a rebalance is refused and " +
      `HF < critical, at most ${run.options.maxKeeperCalls} calls per pass; refused simulations, failed transactions and ` +
      "reverting trigger() scans are recorded in keeperFailures (a refused simulation costs no gas)",
    unmanaged: "the same vault contract and settings, same deposit, outside the registry: only liquidators act on it",
    spot: `the deposited ${run.kind.collateral} held, valued at the row's price`,
    ...(run.peers
      ? {
          peers:
            "fli (Index Coop FlexibleLeverageStrategyExtension methodology, Aave flavour, ratios scaled to the nominal leverage) " +
            "and dfs (DeFi Saver Aave V3 repay/boost automation): each a PeerPosition contract (contracts/test/peers/) with the " +
            "same deposit at the same leverage on the same Aave pool and Uniswap pool, driven by an executor that follows the " +
            "peer's published rules (scripts/lib/backtest/peers.ts; settings in peerSettings), acting right after the keeper " +
            "in the same block slot, each on pools arbitraged back to the market first; liquidators treat them as they treat the " +
            "vaults. Gas: the peers' own transactions. FLI's ripcord reward is paid by its extension, not the position " +
            "(listed in ripcordRewards, not deducted); DeFi Saver's 0.25 % service + 0.05 % automation fees are taken from the position",
        }
      : {}),
    liquidity: followLiquidity
      ? `the LP re-centres its concentrated Uniswap positions on the price when it leaves the middle half of their range (depth x${uniswapDepth})`
      : `the concentrated Uniswap positions stay centred on the first price (range /1.5..x1.5), as deployMarket built them (depth x${uniswapDepth}); beyond that range only the thin full-range liquidity is left`,
    sampling:
      "series.csv and the chart hold one line per CSV row (after that row's actions); minHealthFactor and maxDrawdownPct " +
      "also count every price update, on arrival (before the actors) and after them",
  };
}

/** `input.file`: the CSV's absolute path. */
export function buildReport(run: BacktestRun, input: { file: string; seconds: number }) {
  return {
    units: {
      ...REPORT_UNITS,
      liquidatedDebt: run.kind.debt,
      collateralSeized: run.kind.collateral,
      ripcordRewards: run.kind.collateral,
      price: run.kind.priceUnit,
    },
    kind: run.kind,
    model: modelNotes(run),
    input: { file: input.file, ...pathMetrics(run.rows) },
    managed: vaultMetrics(run, "managed"),
    unmanaged: vaultMetrics(run, "unmanaged"),
    spot: spotMetrics(run),
    /** The peer strategies in the same replay (./peers), each with the same fields as `managed`. */
    ...(run.peers
      ? {
          peers: Object.fromEntries(run.peers.names.map((n) => [n, vaultMetrics(run, n)])) as Partial<Record<PeerName, ReturnType<typeof vaultMetrics>>>,
          peerSettings: run.peers.params,
        }
      : {}),
    settings: run.settings,
    options: run.options,
    updates: run.updates,
    runtime: {
      totalSeconds: round(input.seconds, 2),
      setupSeconds: round(run.timing.setupSeconds, 2),
      replaySeconds: round(run.timing.replaySeconds, 2),
      msPerRow: round(run.timing.msPerRow, 1),
      msPerUpdate: round(run.timing.msPerUpdate, 1),
      clockSlipSeconds: run.timing.clockSlipSeconds,
    },
    events: {
      keeperActions: run.keeperActions,
      keeperFailures: run.keeperFailures,
      liquidations: run.liquidations,
      liquidationFailures: run.liquidationFailures,
      liquidityMoves: run.liquidityMoves,
      ...(run.peers ? { peerActions: run.peers.actions, peerFailures: run.peers.failures } : {}),
    },
  };
}

export type BacktestReport = ReturnType<typeof buildReport>;

export function seriesCsv(run: BacktestRun): string {
  const header = [
    "timestamp", "price", "oracle_price",
    "managed_equity", "managed_leverage", "managed_hf", "managed_hf_on_arrival", "managed_collateral", "managed_debt", "managed_mode",
    "unmanaged_equity", "unmanaged_leverage", "unmanaged_hf", "unmanaged_hf_on_arrival", "unmanaged_collateral", "unmanaged_debt",
    "spot_equity",
    ...(run.peers?.names ?? []).flatMap((n) => [`${n}_equity`, `${n}_leverage`, `${n}_hf`, `${n}_hf_on_arrival`, `${n}_collateral`, `${n}_debt`]),
  ];
  const lines = run.rows.map((r) => {
    const v = (s: typeof r.managed) => [s.equity, s.leverage ?? "", s.healthFactor, s.healthFactorOnArrival, s.collateral, s.debt];
    const peers = (run.peers?.names ?? []).flatMap((n) => v(r.peers![n]!));
    return [r.timestamp, r.price, r.oraclePrice, ...v(r.managed), r.managedMode, ...v(r.unmanaged), r.spotEquity, ...peers].join(",");
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
