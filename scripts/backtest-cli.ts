/**
 * Backtester: replays a `timestamp,price` CSV on the local market (in-process Hardhat network) for a managed
 * vault, the same vault left unmanaged, and spot; writes <out>/backtest.json, series.csv and chart.svg.
 *
 *   npm run backtest -- <csv> [--preset eth-long-3x] [--model realistic|rows] [--out dir] [options]   (--help lists them)
 *
 * Paths are relative to the directory npm was started from.
 */
import path from "node:path";
import { OPTIONS_HELP, UsageError, backtestOptionsFrom, parseBacktestArgv, progressLine } from "./lib/backtest/cli";

const HELP = `Usage: npm run backtest -- <prices.csv> [options]

  --out <dir>                 output folder (default reports/backtest-<csv name>)
${OPTIONS_HELP}`;

function parseCli(argv: string[]) {
  const { values, positionals } = parseBacktestArgv(argv);
  if (values.help) return null;
  if (positionals.length !== 1) throw new UsageError(`expected one CSV path, got ${positionals.length} (see --help)`);
  const { options, quiet } = backtestOptionsFrom(values);
  const base = process.env.INIT_CWD ?? process.cwd();
  const csv = path.resolve(base, positionals[0]);
  const name = path.basename(csv).replace(/\.csv$/i, "");
  return { csv, out: path.resolve(base, (values.out as string | undefined) ?? path.join("reports", `backtest-${name}`)), quiet, options };
}

async function main() {
  const started = performance.now();
  const args = parseCli(process.argv.slice(2));
  if (!args) return console.log(HELP);
  const { readPricePath } = await import("./lib/backtest/prices");
  const points = readPricePath(args.csv);
  const log = (msg: string) => args.quiet || console.error(msg);

  // Hardhat is loaded only now, so that --help and argument errors do not pay for it.
  const hre = (await import("hardhat")).default;
  await hre.run("compile", { quiet: true });
  const { runBacktest } = await import("./lib/backtest/replay");
  const { buildReport, writeReport } = await import("./lib/backtest/report");
  const { consoleSummary } = await import("./lib/backtest/summary");

  const { resolveOptions } = await import("./lib/backtest/options");
  const { model, leverage, preset, venue } = resolveOptions(args.options);
  const kind = preset === "eth-long-3x" && venue === "aave" ? "" : `${preset} on ${venue}, `;
  log(`backtest: ${path.basename(args.csv)}, ${points.length} rows, ${kind}${leverage}x, ${model} model, on '${hre.network.name}'`);
  let lastLog = 0;
  const run = await runBacktest(hre, points, {
    ...args.options,
    onRow: (i, n, work) => {
      const now = performance.now();
      if (now - lastLog > 10_000 || i === n - 1) {
        lastLog = now;
        log(progressLine(`  row ${i + 1}/${n}`, work, (now - started) / 1000));
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const report = buildReport(run, { file: args.csv, seconds });
  const title = `${path.basename(args.csv)}: ${kind}${leverage}x vault, managed vs unmanaged vs spot (${model} model)`;
  const files = await writeReport(run, report, args.out, title);
  const wall = (performance.now() - started) / 1000;
  console.log(consoleSummary(path.basename(args.csv), report, wall));
  console.log(`  wrote ${files.json}, ${files.chart}, ${files.csv}`);
}

main().catch((error) => {
  if (error instanceof UsageError) console.error(`backtest: ${error.message}`);
  else console.error(error instanceof Error && !process.env.DEBUG ? error.message : error);
  process.exitCode = 1;
});
