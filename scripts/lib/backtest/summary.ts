/**
 * Summaries of backtest reports: the console table of one run, and for `backtest:all` the folder's
 * `summary.json` (`{"paths": {"<csv name>": <its backtest.json>}}`) and Markdown table.
 */
import type { BacktestReport } from "./report";

const money = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;
const num = (x: number, digits = 2) => x.toLocaleString("en-US", { maximumFractionDigits: digits });
const gas = (x: number) => Math.round(x).toLocaleString("en-US");
const hf = (x: number) => (x >= 1e9 ? "∞" : x.toFixed(3));

/** The console table printed at the end of `npm run backtest`. */
export function consoleSummary(name: string, report: BacktestReport, wallSeconds: number): string {
  const { managed: m, unmanaged: u, spot: s, input, updates, runtime } = report;
  const model = report.options.model;
  const row = (label: string, cells: string[]) => `  ${label.padEnd(10)} ${cells.map((c, i) => c.padEnd(i === 5 ? 12 : 14)).join(" ")}`;
  return [
    `${name} (${input.rows} rows, ${input.start.slice(0, 10)} .. ${input.end.slice(0, 10)}), ${report.options.leverage}x, ${model} model, ` +
      `${num(updates.steps, 0)} price updates, ${wallSeconds.toFixed(1)} s (replay ${runtime.replaySeconds} s, ${runtime.msPerUpdate} ms/update)`,
    row("", ["liquidations", "min HF", "max DD %", "final equity", "keeper acts", "keeper gas", "failed calls"]),
    row("managed", [String(m.liquidations), hf(m.minHealthFactor), num(m.maxDrawdownPct), money(m.finalEquity), String(m.keeperActions), gas(m.keeperGas), String(m.keeperFailures)]),
    row("unmanaged", [String(u.liquidations), hf(u.minHealthFactor), num(u.maxDrawdownPct), money(u.finalEquity), "-", "-", "-"]),
    row("spot", ["0", "-", num(s.maxDrawdownPct), money(s.finalEquity), "-", "-", "-"]),
    ...(m.keeperFailures ? [`  failed keeper calls: ${failures(m.keeperFailuresByError)}`] : []),
  ].join("\n");
}

function failures(byError: Record<string, number>): string {
  const entries = Object.entries(byError).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([e, n]) => `${n}× ${e}`).join("; ") : "-";
}

export interface Summary {
  paths: Record<string, BacktestReport>;
}

/** The Markdown table of a folder's runs: one line per path and position. */
export function summaryMarkdown(summary: Summary, heading: string): string {
  const names = Object.keys(summary.paths);
  const first = summary.paths[names[0]];
  const lines = [`# ${heading}`, ""];
  if (first) {
    const o = first.options;
    const oracle = o.model === "realistic"
      ? `feed ${o.oracle.deviationBps} bps / ${o.oracle.heartbeat.toLocaleString("en-US")} s heartbeat (${o.oracle.network}), ` +
        `keeper ${o.keeperLatencyBlocks} block(s) and liquidators ${o.liquidatorLatencyBlocks} block(s) of ${o.oracle.blockTime} s after each update`
      : `one jump of feed and pools per CSV row, actors ${o.reactionDelay} s and ${2 * o.reactionDelay} s after it`;
    lines.push(
      `Model **${o.model}**: ${oracle}; ${o.keeperFirst ? "keeper" : "liquidators"} first. ${o.leverage}x target, ` +
        `${o.depositWeth} WETH per position, band ${first.settings.minLeverage}-${first.settings.maxLeverage}x, ` +
        `HF floor ${first.settings.minHealthFactor}, ripcord below ${first.settings.criticalHealthFactor}` +
        `${first.settings.trailBps ? `, trailing stop ${first.settings.trailBps / 100} %` : ""}` +
        `${first.settings.trailBps && first.settings.stopToDebtAsset ? " (stop into USDC)" : ""}` +
        `${first.settings.volatilityHorizon
          ? `, volatility-aware leverage (${first.settings.sigmaMultiple} sigma over ${first.settings.volatilityHorizon / 3600} h, ` +
            `${first.settings.volatilityRounds} feed rounds, floor ${first.settings.volatilityFloorLeverage}x)`
          : ", fixed target (volatility-aware leverage off)"}.`,
      "",
      "Min HF and max drawdown count every price update (on arrival, before anyone acts, and after). " +
        "Keeper gas: successful transactions; failed calls: simulations the bot refused to send, failed transactions, " +
        "and keeper scans whose trigger() reverted.",
      "",
    );
  }
  lines.push(
    "| path | rows | price updates | position | liquidations | min HF | max DD % | final equity | keeper actions | keeper gas | failed keeper calls (errors) | replay s |",
    "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
  );
  for (const name of names) {
    const r = summary.paths[name];
    const m = r.managed;
    const u = r.unmanaged;
    const actions = Object.entries(m.keeperActionsByType).map(([a, n]) => `${n} ${a}`).join(", ");
    lines.push(
      `| ${name} | ${r.input.rows} | ${r.updates.steps.toLocaleString("en-US")} | managed | ${m.liquidations} | ${hf(m.minHealthFactor)} | ` +
        `${num(m.maxDrawdownPct, 1)} | ${money(m.finalEquity)} | ${m.keeperActions}${actions ? ` (${actions})` : ""} | ${gas(m.keeperGas)} | ` +
        `${m.keeperFailures ? `${m.keeperFailures}: ${failures(m.keeperFailuresByError)}` : "0"} | ${r.runtime.replaySeconds} |`,
      `| | | | unmanaged | ${u.liquidations} | ${hf(u.minHealthFactor)} | ${num(u.maxDrawdownPct, 1)} | ${money(u.finalEquity)} | - | - | - | |`,
    );
  }
  const total = (f: (r: BacktestReport) => number) => names.reduce((s, n) => s + f(summary.paths[n]), 0);
  lines.push(
    "",
    `Liquidations in total: managed ${total((r) => r.managed.liquidations)} on ` +
      `${names.filter((n) => summary.paths[n].managed.liquidations > 0).length} of ${names.length} paths, ` +
      `unmanaged ${total((r) => r.unmanaged.liquidations)} on ${names.filter((n) => summary.paths[n].unmanaged.liquidations > 0).length}.`,
    "",
  );
  return lines.join("\n");
}
