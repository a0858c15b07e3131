/**
 * Backtester: replays a `timestamp,price` CSV on the local market (in-process Hardhat network) for a managed
 * vault, the same vault left unmanaged, and spot; writes <out>/backtest.json, series.csv and chart.svg.
 *
 *   npm run backtest -- <csv> [--leverage 3] [--out dir] [options]      (--help lists them)
 *
 * Paths are relative to the directory npm was started from.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { defaultSettings, type VaultSettings } from "./lib/vault";

// The defaults shown are the ones the run uses (lib/vault defaultSettings, which the backtest settings start from).
const D = defaultSettings(3);
const HELP = `Usage: npm run backtest -- <prices.csv> [options]

  --leverage <x>              target leverage of both vaults (default 3)
  --out <dir>                 output folder (default reports/backtest-<csv name>)
  --deposit <weth>            collateral each position starts with (default 100)
  --band <fraction>           leverage band half-width as a fraction of (L-1) (default 0.1)
  --min-hf <x>                keeper health-factor floor (default: min(1.1, halfway to the HF at the band top))
  --critical-hf <x>           ripcord threshold (default: min(1.05, halfway to the floor))
  --cooldown <s>              seconds between band rebalances (default 3600)
  --max-slippage-bps <bps>    oracle-bounded slippage per swap (default ${D.maxSlippageBps})
  --max-dex-deviation-bps <bps>  DEX spot vs oracle bound (default ${D.maxDexDeviationBps})
  --max-equity-loss-bps <bps>    equity loss allowed per keeper action, of the value traded (default ${D.maxEquityLossBps})
  --max-trade-size <usdc>     debt repaid or borrowed per keeper call (default ${D.maxTradeSize.toLocaleString("en-US")})
  --stop-loss <usd>           stop-loss price, 0 = off (default 0)
  --take-profit <usd>         take-profit price, 0 = off (default 0)
  --take-profit-leverage <x>  leverage kept after take-profit (default 1)
  --trail-bps <bps>           trailing stop below the high-water mark, 0 = off (default 0)
  --stop-to-usdc              on a stop, sell all collateral into USDC
  --keeper-first              the keeper acts on a new price before liquidators (default: liquidators first)
  --max-keeper-calls <n>      keeper calls per row (default 5)
  --reaction-delay <s>        seconds after the price update at which keeper/liquidators act (default 60)
  --uniswap-depth <x>         multiplier on the local Uniswap liquidity (default 1)
  --static-liquidity          keep the concentrated Uniswap positions centred on the first price, as deployMarket
                              put them (default: the LP re-centres them on the price as it moves, as real LPs do;
                              static liquidity thins out beyond x1.5 / /1.5 and inflates crash slippage)
  --quiet                     no progress output
  -h, --help`;

const num = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name}: not a number: ${value}`);
  return n;
};

function parseCli(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      leverage: { type: "string" },
      out: { type: "string" },
      deposit: { type: "string" },
      band: { type: "string" },
      "min-hf": { type: "string" },
      "critical-hf": { type: "string" },
      cooldown: { type: "string" },
      "max-slippage-bps": { type: "string" },
      "max-dex-deviation-bps": { type: "string" },
      "max-equity-loss-bps": { type: "string" },
      "max-trade-size": { type: "string" },
      "stop-loss": { type: "string" },
      "take-profit": { type: "string" },
      "take-profit-leverage": { type: "string" },
      "trail-bps": { type: "string" },
      "stop-to-usdc": { type: "boolean" },
      "keeper-first": { type: "boolean" },
      "max-keeper-calls": { type: "string" },
      "reaction-delay": { type: "string" },
      "uniswap-depth": { type: "string" },
      "static-liquidity": { type: "boolean" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  if (positionals.length !== 1) throw new Error(`expected one CSV path, got ${positionals.length}\n\n${HELP}`);
  const settings: Partial<VaultSettings> = {};
  const set = <K extends keyof VaultSettings>(key: K, value: VaultSettings[K] | undefined) => {
    if (value !== undefined) settings[key] = value;
  };
  set("minHealthFactor", num("min-hf", values["min-hf"]));
  set("criticalHealthFactor", num("critical-hf", values["critical-hf"]));
  set("cooldown", num("cooldown", values.cooldown));
  set("maxSlippageBps", num("max-slippage-bps", values["max-slippage-bps"]));
  set("maxDexDeviationBps", num("max-dex-deviation-bps", values["max-dex-deviation-bps"]));
  set("maxEquityLossBps", num("max-equity-loss-bps", values["max-equity-loss-bps"]));
  set("maxTradeSize", num("max-trade-size", values["max-trade-size"]));
  set("stopLossPrice", num("stop-loss", values["stop-loss"]));
  set("takeProfitPrice", num("take-profit", values["take-profit"]));
  set("takeProfitLeverage", num("take-profit-leverage", values["take-profit-leverage"]));
  set("trailBps", num("trail-bps", values["trail-bps"]));
  if (values["stop-to-usdc"]) settings.stopToDebtAsset = true;
  const leverage = num("leverage", values.leverage) ?? 3;
  // Checked before Hardhat starts; the upper bound (Aave's LTV) is the contract's to check.
  if (leverage < 1) throw new Error(`--leverage ${values.leverage}: must be >= 1 (1 = no debt)`);
  const base = process.env.INIT_CWD ?? process.cwd();
  const csv = path.resolve(base, positionals[0]);
  const name = path.basename(csv).replace(/\.csv$/i, "");
  return {
    csv,
    out: path.resolve(base, values.out ?? path.join("reports", `backtest-${name}`)),
    quiet: values.quiet ?? false,
    leverage,
    depositWeth: num("deposit", values.deposit) ?? 100,
    bandFraction: num("band", values.band),
    keeperFirst: values["keeper-first"] ?? false,
    maxKeeperCallsPerRow: num("max-keeper-calls", values["max-keeper-calls"]),
    reactionDelay: num("reaction-delay", values["reaction-delay"]),
    uniswapDepth: num("uniswap-depth", values["uniswap-depth"]),
    followLiquidity: !(values["static-liquidity"] ?? false),
    settings,
  };
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

  let replayStarted = performance.now();
  log(`backtest: ${path.basename(args.csv)}, ${points.length} rows, ${args.leverage}x, on '${hre.network.name}'`);
  const run = await runBacktest(hre, points, {
    leverage: args.leverage,
    depositWeth: args.depositWeth,
    settings: args.settings,
    bandFraction: args.bandFraction,
    keeperFirst: args.keeperFirst,
    maxKeeperCallsPerRow: args.maxKeeperCallsPerRow,
    reactionDelay: args.reactionDelay,
    uniswapDepth: args.uniswapDepth,
    followLiquidity: args.followLiquidity,
    onRow: (i, n) => {
      if (i === 0) replayStarted = performance.now();
      if (i % 50 === 0 || i === n - 1) {
        const elapsed = (performance.now() - started) / 1000;
        const perRow = i > 0 ? (performance.now() - replayStarted) / 1000 / i : undefined;
        const eta = perRow === undefined || i === n - 1 ? "" : `, ETA ${Math.ceil(perRow * (n - 1 - i))} s`;
        log(`  row ${i + 1}/${n}  ${elapsed.toFixed(1)} s${eta}`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  // Absolute: backtest.json must name the input whatever directory it is read from.
  const report = buildReport(run, { file: args.csv, seconds });
  const title = `${path.basename(args.csv)}: ${args.leverage}x vault, managed vs unmanaged vs spot`;
  const files = await writeReport(run, report, args.out, title);
  const wall = (performance.now() - started) / 1000;

  const { managed: m, unmanaged: u, spot: s } = report;
  const fmt = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 2 });
  console.log(
    [
      `${path.basename(args.csv)} (${points.length} rows, ${report.input.start.slice(0, 10)} .. ${report.input.end.slice(0, 10)}), ${args.leverage}x, ${wall.toFixed(1)} s (replay ${report.runtime.replaySeconds} s)`,
      `             liquidations  min HF     max DD %   final equity USD  keeper actions  keeper gas`,
      `  managed    ${String(m.liquidations).padEnd(13)} ${fmt(m.minHealthFactor).padEnd(10)} ${fmt(m.maxDrawdownPct).padEnd(10)} ${fmt(m.finalEquity).padEnd(17)} ${String(m.keeperActions).padEnd(15)} ${m.keeperGas.toLocaleString("en-US")}`,
      `  unmanaged  ${String(u.liquidations).padEnd(13)} ${fmt(u.minHealthFactor).padEnd(10)} ${fmt(u.maxDrawdownPct).padEnd(10)} ${fmt(u.finalEquity).padEnd(17)} ${String(u.keeperActions).padEnd(15)} ${u.keeperGas.toLocaleString("en-US")}`,
      `  spot       ${"0".padEnd(13)} ${"-".padEnd(10)} ${fmt(s.maxDrawdownPct).padEnd(10)} ${fmt(s.finalEquity).padEnd(17)} -`,
      `  wrote ${files.json}, ${files.chart}, ${files.csv}`,
    ].join("\n"),
  );
}

main().catch((error) => {
  console.error(error instanceof Error && !process.env.DEBUG ? error.message : error);
  process.exitCode = 1;
});
