/**
 * Summaries of backtest reports: the console table of one run, and for `backtest:all` the folder's
 * `summary.json` (`{"paths": {"<csv name>": <its backtest.json>}}`) and Markdown table.
 */
import type { BacktestReport } from "./report";
import type { VaultMetrics } from "./metrics";
import { PEER_LABELS, PEER_NAMES, type PeerName } from "./peers";

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
    ...peersOf(report).map(([n, p]) =>
      row(n, [String(p.liquidations), hf(p.minHealthFactor), num(p.maxDrawdownPct), money(p.finalEquity), String(p.keeperActions), gas(p.keeperGas), String(p.keeperFailures)]),
    ),
    ...(m.keeperFailures ? [`  failed keeper calls: ${failures(m.keeperFailuresByError)}`] : []),
  ].join("\n");
}

function failures(byError: Record<string, number>): string {
  const entries = Object.entries(byError).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([e, n]) => `${n}× ${e}`).join("; ") : "-";
}

/** The peers a report holds, in PEER_NAMES order. */
export function peersOf(report: BacktestReport): [PeerName, VaultMetrics][] {
  const peers = (report as { peers?: Partial<Record<PeerName, VaultMetrics>> }).peers ?? {};
  return PEER_NAMES.filter((n) => peers[n]).map((n) => [n, peers[n]!]);
}

/** A crash path for the goals: the price fell at least this much (percent, peak to trough) somewhere on it. */
export const CRASH_DRAWDOWN_PCT = 20;

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
        `${o.depositWeth} ${first.kind?.collateral ?? "WETH"} per position, band ${first.settings.minLeverage}-${first.settings.maxLeverage}x, ` +
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
      ...peersOf(r).map(([n, p]) => {
        const acts = Object.entries(p.keeperActionsByType).map(([a, k]) => `${k} ${a}`).join(", ");
        return `| | | | ${n} | ${p.liquidations} | ${hf(p.minHealthFactor)} | ${num(p.maxDrawdownPct, 1)} | ${money(p.finalEquity)} | ` +
          `${p.keeperActions}${acts ? ` (${acts})` : ""} | ${gas(p.keeperGas)} | ${p.keeperFailures ? `${p.keeperFailures}: ${failures(p.keeperFailuresByError)}` : "0"} | |`;
      }),
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
  lines.push(...peerComparison(summary));
  return lines.join("\n");
}

/**
 * The managed vault against each peer strategy in the same replay: per path liquidations, max drawdown, final equity
 * and gas, then the goals (0 managed liquidations; managed drawdown <= each peer's on every crash path; managed final
 * equity >= each peer's summed over the paths and on at least 80 % of them), counted, not judged by hand.
 */
export function peerComparison(summary: Summary): string[] {
  const names = Object.keys(summary.paths);
  const peers = PEER_NAMES.filter((n) => names.some((p) => peersOf(summary.paths[p]).some(([m]) => m === n)));
  if (peers.length === 0) return [];
  const cols = ["managed", ...peers] as const;
  const pick = (r: BacktestReport, c: string): VaultMetrics | undefined =>
    c === "managed" ? r.managed : peersOf(r).find(([n]) => n === c)?.[1];
  const cells = (r: BacktestReport, f: (m: VaultMetrics) => string) => cols.map((c) => { const m = pick(r, c); return m ? f(m) : "-"; }).join(" / ");
  const lines = [
    "## Managed vault vs the peer strategies",
    "",
    `Same replay, same market, same liquidators and latency: ${peers.map((p) => `**${p}** = ${PEER_LABELS[p]}`).join(", ")} ` +
      "(rules and settings: docs/PROTECTION.md, \"Peers\"; each path's backtest.json `peerSettings`). Cells read " +
      `${cols.join(" / ")}. Gas: successful transactions of the keeper / of the peer's executor. ` +
      `A crash path: the price fell at least ${CRASH_DRAWDOWN_PCT} % peak to trough.`,
    "",
    "| path | crash | liquidations | max DD % | final equity | gas | failed calls |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const name of names) {
    const r = summary.paths[name];
    const crash = r.input.maxDrawdownPct >= CRASH_DRAWDOWN_PCT;
    lines.push(
      `| ${name} | ${crash ? "yes" : "no"} | ${cells(r, (m) => String(m.liquidations))} | ${cells(r, (m) => num(m.maxDrawdownPct, 1))} | ` +
        `${cells(r, (m) => money(m.finalEquity))} | ${cells(r, (m) => gas(m.keeperGas))} | ${cells(r, (m) => String(m.keeperFailures))} |`,
    );
  }
  lines.push("", "| goal | " + peers.map((p) => `vs ${p}`).join(" | ") + " |", "| --- | " + peers.map(() => "---").join(" | ") + " |");
  const managedLiq = names.reduce((s, n) => s + summary.paths[n].managed.liquidations, 0);
  const per = (f: (p: PeerName) => string) => peers.map(f).join(" | ");
  const crashes = names.filter((n) => summary.paths[n].input.maxDrawdownPct >= CRASH_DRAWDOWN_PCT);
  const ddLosses = (p: PeerName) => crashes.filter((n) => { const m = pick(summary.paths[n], p); return m !== undefined && summary.paths[n].managed.maxDrawdownPct > m.maxDrawdownPct; });
  const eqWins = (p: PeerName) => names.filter((n) => { const m = pick(summary.paths[n], p); return m !== undefined && summary.paths[n].managed.finalEquity >= m.finalEquity; });
  const sum = (c: string) => names.reduce((s, n) => s + (pick(summary.paths[n], c)?.finalEquity ?? 0), 0);
  const liq = (p: PeerName) => names.reduce((s, n) => s + (pick(summary.paths[n], p)?.liquidations ?? 0), 0);
  const gasSum = (c: string) => names.reduce((s, n) => s + (pick(summary.paths[n], c)?.keeperGas ?? 0), 0);
  lines.push(
    `| liquidations, managed ${managedLiq} vs the peer's | ${per((p) => String(liq(p)))} |`,
    `| crash paths where managed max DD <= the peer's | ${per((p) => `${crashes.length - ddLosses(p).length} of ${crashes.length}${ddLosses(p).length ? ` (not: ${ddLosses(p).join(", ")})` : ""}`)} |`,
    `| final equity summed, managed ${money(sum("managed"))} vs the peer's | ${per((p) => `${money(sum(p))} (${sum(p) > 0 ? ((sum("managed") / sum(p)) * 100).toFixed(1) : "-"} %)`)} |`,
    `| paths where managed final equity >= the peer's (goal >= 80 %) | ${per((p) => `${eqWins(p).length} of ${names.length} (${((eqWins(p).length / names.length) * 100).toFixed(0)} %)`)} |`,
    `| gas summed, managed ${gas(gasSum("managed"))} vs the peer's | ${per((p) => gas(gasSum(p)))} |`,
    "",
  );
  return lines;
}
