/**
 * The results table of one preset (and venue) across the folders it was replayed on: `npm run backtest:all --
 * <folder> --preset NAME` adds or replaces that folder's rows in reports/backtest/presets/<preset>[-<venue>].json and
 * rewrites the .md beside it. Per path: managed and unmanaged liquidations and max drawdowns, and whether the goal
 * (0 managed liquidations, managed max drawdown <= unmanaged) is met.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Summary } from "./summary";

export interface PresetPathResult {
  rows: number;
  managedLiquidations: number;
  unmanagedLiquidations: number;
  managedMaxDrawdownPct: number;
  unmanagedMaxDrawdownPct: number;
  managedMinHealthFactor: number;
  unmanagedMinHealthFactor: number;
  managedKeeperActions: number;
  /** 0 managed liquidations and managed max drawdown <= unmanaged. */
  goalMet: boolean;
  seconds: number;
}

export interface PresetResults {
  preset: string;
  venue: string;
  /** By run: "<folder> (<model>)". */
  runs: Record<string, { folder: string; model: string; seconds: number; failed: string[]; paths: Record<string, PresetPathResult> }>;
}

export const PRESET_RESULTS_DIR = path.join(__dirname, "..", "..", "..", "reports", "backtest", "presets");

export function presetResultsName(preset: string, venue: string): string {
  return venue === "aave" ? preset : `${preset}-${venue}`;
}

/** One folder's summary as the table's rows. */
export function presetRun(summary: Summary): Record<string, PresetPathResult> {
  return Object.fromEntries(
    Object.entries(summary.paths).map(([name, r]) => {
      const [m, u] = [r.managed, r.unmanaged];
      return [
        name,
        {
          rows: r.input.rows,
          managedLiquidations: m.liquidations,
          unmanagedLiquidations: u.liquidations,
          managedMaxDrawdownPct: m.maxDrawdownPct,
          unmanagedMaxDrawdownPct: u.maxDrawdownPct,
          managedMinHealthFactor: m.minHealthFactor,
          unmanagedMinHealthFactor: u.minHealthFactor,
          managedKeeperActions: m.keeperActions,
          goalMet: m.liquidations === 0 && m.maxDrawdownPct <= u.maxDrawdownPct,
          seconds: r.runtime.totalSeconds,
        },
      ];
    }),
  );
}

const pct = (x: number) => x.toFixed(1);
const hf = (x: number) => (x >= 1e9 ? "no debt" : x.toFixed(3));

export function presetResultsMarkdown(results: PresetResults): string {
  const title = presetResultsName(results.preset, results.venue);
  const lines = [
    `# Backtest results: ${title}`,
    "",
    `Written by \`npm run backtest:all -- <folder> --preset ${results.preset}${results.venue === "aave" ? "" : ` --venue ${results.venue}`}\` ` +
      "(scripts/lib/backtest/preset-results.ts), default settings (the preset's; eth-long-3x: the backtester's 3x, as in the published tables). Goal: 0 managed liquidations on every path " +
      "and managed max drawdown <= unmanaged. Max drawdown: % of the running peak of equity (USD), every price update sampled.",
    "",
  ];
  for (const [key, run] of Object.entries(results.runs)) {
    const paths = Object.entries(run.paths);
    const missed = paths.filter(([, p]) => !p.goalMet).map(([n]) => n);
    const liquidated = paths.filter(([, p]) => p.managedLiquidations > 0).map(([n]) => n);
    lines.push(
      `## ${key}`,
      "",
      `${paths.length} paths in ${Math.round(run.seconds)} s. Managed liquidations: ${liquidated.length ? `on ${liquidated.join(", ")}` : "0 on every path"}. ` +
        `Goal ${missed.length ? `not met on ${missed.join(", ")}` : "met on every path"}.` +
        (run.failed.length ? ` Failed paths: ${run.failed.join(", ")}.` : ""),
      "",
      "| path | rows | managed liquidations | unmanaged liquidations | managed max DD % | unmanaged max DD % | managed min HF | unmanaged min HF | keeper actions | goal | s |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
      ...paths.map(
        ([n, p]) =>
          `| ${n} | ${p.rows} | ${p.managedLiquidations} | ${p.unmanagedLiquidations} | ${pct(p.managedMaxDrawdownPct)} | ` +
          `${pct(p.unmanagedMaxDrawdownPct)} | ${hf(p.managedMinHealthFactor)} | ${hf(p.unmanagedMinHealthFactor)} | ` +
          `${p.managedKeeperActions} | ${p.goalMet ? "met" : "**not met**"} | ${Math.round(p.seconds)} |`,
      ),
      "",
    );
  }
  return lines.join("\n");
}

/** Adds (or replaces) one folder's run in the preset's results and rewrites both files; returns their paths. */
export function writePresetResults(
  dir: string,
  preset: string,
  venue: string,
  run: { folder: string; model: string; seconds: number; failed: string[]; summary: Summary },
): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, presetResultsName(preset, venue));
  const files = { json: `${base}.json`, md: `${base}.md` };
  const results: PresetResults = existsSync(files.json) ? JSON.parse(readFileSync(files.json, "utf8")) : { preset, venue, runs: {} };
  results.runs[`${run.folder} (${run.model})`] = {
    folder: run.folder,
    model: run.model,
    seconds: Math.round(run.seconds),
    failed: run.failed,
    paths: presetRun(run.summary),
  };
  writeFileSync(files.json, JSON.stringify(results, null, 2) + "\n");
  writeFileSync(files.md, presetResultsMarkdown(results));
  return files;
}
