/**
 * Command-line options shared by `npm run backtest` (one CSV) and `npm run backtest:all` (a folder): parsed and
 * checked here, before Hardhat is loaded, so that a bad value stops with one line and no chain work. Defaults shown
 * in the help are read from the code that applies them.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { VOLATILITY_3X, defaultSettings, type VaultSettings } from "../deploy/vault";
import { ORACLE_NETWORKS, ORACLE_PRESETS, type OracleNetwork } from "./oracle";
import { BACKTEST_DEPOSITS, DEFAULT_PRESET, REPLAY_MODELS, resolveOptions, type BacktestOptions, type ReplayModel } from "./options";
import { PRESETS, PRESET_NAMES, type Venue } from "../deploy/presets";

/** A user error: printed as one line, exit code 1 (no stack). */
export class UsageError extends Error {}

const D = defaultSettings(3);
/** At --leverage 3 the backtester uses the 3x preset's volatility-aware leverage (settings.ts backtestSettings). */
const V = VOLATILITY_3X;
/** "8" when the 3x default and the others agree, else "1.5 at 3x, 1 otherwise". */
const at3x = (v3: number, other: number) => (v3 === other ? `${v3}` : `${v3} at 3x, ${other} otherwise`);
const thousands = (x: number) => x.toLocaleString("en-US");
const mainnet = ORACLE_PRESETS.mainnet;

export const OPTIONS_HELP = `  --preset <name>             the kind of vault replayed: ${PRESET_NAMES.join(", ")} (default ${DEFAULT_PRESET});
                              eth-short-2x replays the ETH/USD path as given, btc-long-2x the path's shape scaled to
                              BTC/USD 60,000, wsteth-loop reads the CSV as the wstETH/ETH rate (data/stress/depeg/)
  --venue <aave|morpho>       lending venue (default aave)
  --model <realistic|rows>    realistic (default): each hour walked along its path (previous close -> the hour's
                              low when the CSV has one -> close), the ETH/USD feed updated as Chainlink does
                              (deviation or heartbeat), pools ahead of the feed, actors a few blocks after each
                              update; rows: one jump of feed and pools per CSV row (the pessimistic bound)
  --oracle-network <name>     feed preset: ${ORACLE_NETWORKS.map((n) => `${n} (${ORACLE_PRESETS[n].deviationBps} bps, ${thousands(ORACLE_PRESETS[n].heartbeat)} s, ${ORACLE_PRESETS[n].blockTime} s blocks)`).join(", ")}; default mainnet
  --oracle-deviation-bps <bps> feed deviation threshold (default: the preset's, ${mainnet.deviationBps} on mainnet)
  --heartbeat <s>             feed heartbeat, also the vaults' staleness bound (default: the preset's, ${thousands(mainnet.heartbeat)} on mainnet)
  --block-time <s>            seconds per block (default: the preset's, ${mainnet.blockTime} on mainnet)
  --keeper-latency <blocks>   blocks between a feed update and the keeper's transaction (default 1)
  --liquidator-latency <blocks>  blocks between a feed update and the liquidators' (default 1)
  --leverage <x>              target leverage of both vaults, above 1 (${DEFAULT_PRESET} only; default 3)
  --deposit <amount>          collateral each position starts with, in its units (default: ${PRESET_NAMES.map((n) => `${thousands(BACKTEST_DEPOSITS[n])} ${PRESETS[n].collateral}`).join(", ")})
  --band <fraction>           leverage band half-width as a fraction of (L-1) (${DEFAULT_PRESET} only; default 0.1)
  --min-hf <x>                keeper health-factor floor (default: min(1.1, halfway to the HF at the band top))
  --critical-hf <x>           ripcord threshold (default: min(1.05, halfway to the floor))
  --cooldown <s>              seconds between band rebalances (default 3,600)
  --max-slippage-bps <bps>    oracle-bounded slippage per swap (default ${D.maxSlippageBps})
  --max-dex-deviation-bps <bps>  pool price vs oracle bound (default ${D.maxDexDeviationBps})
  --max-equity-loss-bps <bps>    equity an action may cost, per traded value (default ${D.maxEquityLossBps})
  --max-trade-size <usdc>     debt repaid or borrowed per keeper call (default ${thousands(D.maxTradeSize)})
  --stop-loss <usd>           stop-loss price, 0 = off (default 0)
  --take-profit <usd>         take-profit price, 0 = off (default 0)
  --take-profit-leverage <x>  leverage kept after take-profit (default 1)
  --trail-bps <bps>           trailing stop below the high-water mark, 0 = off (default 0)
  --volatility-horizon <s>    volatility-aware leverage: horizon over which a k-sigma fall must keep HF >= 1, 0 = off
                              (default at --leverage 3: ${thousands(V.volatilityHorizon)}, as the 3x preset; 0 = off at other leverages)
  --sigma-multiple <k>        k of that fall (default ${at3x(V.sigmaMultiple, D.sigmaMultiple)})
  --volatility-rounds <n>     feed rounds the realised volatility is read from (default ${at3x(V.volatilityRounds, D.volatilityRounds)})
  --volatility-floor <x>      the volatility-aware target never goes below this leverage (default ${at3x(V.volatilityFloorLeverage, D.volatilityFloorLeverage)})
  --stop-to-usdc              on a stop, sell all collateral into USDC
  --keeper-first              the keeper acts before liquidators when both are due (default: liquidators first)
  --max-keeper-calls <n>      keeper calls per keeper pass (default 5)
  --reaction-delay <s>        rows model: seconds after the price update at which the first movers act (default 60)
  --uniswap-depth <x>         multiplier on the local Uniswap liquidity (default 1)
  --static-liquidity          keep the concentrated Uniswap positions centred on the first price, as deployMarket
                              put them (default: the LP re-centres them on the price as it moves, as real LPs do;
                              static liquidity thins out beyond x1.5 / /1.5 and inflates crash slippage)
  --peers / --no-peers        replay the peer strategies beside the vaults: Index Coop FLI methodology and DeFi Saver
                              automation at the same nominal leverage on the same market (default on for ${DEFAULT_PRESET};
                              ETH-long-specific: off for the other presets)
  --no-outage-path            the keeper does not use the vault's oracle-outage deleverage (outageDelever, OUTAGE-1)
                              while the feed is stale (default: it does)
  --quiet                     no progress output
  -h, --help`;

export const BACKTEST_OPTIONS = {
  preset: { type: "string" },
  venue: { type: "string" },
  model: { type: "string" },
  "oracle-network": { type: "string" },
  "oracle-deviation-bps": { type: "string" },
  heartbeat: { type: "string" },
  "block-time": { type: "string" },
  "keeper-latency": { type: "string" },
  "liquidator-latency": { type: "string" },
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
  "volatility-horizon": { type: "string" },
  "sigma-multiple": { type: "string" },
  "volatility-rounds": { type: "string" },
  "volatility-floor": { type: "string" },
  "stop-to-usdc": { type: "boolean" },
  "keeper-first": { type: "boolean" },
  "max-keeper-calls": { type: "string" },
  "reaction-delay": { type: "string" },
  "uniswap-depth": { type: "string" },
  "static-liquidity": { type: "boolean" },
  peers: { type: "boolean" },
  "no-peers": { type: "boolean" },
  "no-outage-path": { type: "boolean" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

type Values = { [K in keyof typeof BACKTEST_OPTIONS]?: (typeof BACKTEST_OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

const num = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name}: not a number: '${value}'`);
  return n;
};

export interface ParsedBacktestArgs {
  options: Omit<BacktestOptions, "onRow">;
  quiet: boolean;
}

/** The backtest options from parsed CLI values, checked (throws UsageError with one line). */
export function backtestOptionsFrom(values: Values): ParsedBacktestArgs {
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
  set("volatilityHorizon", num("volatility-horizon", values["volatility-horizon"]));
  set("sigmaMultiple", num("sigma-multiple", values["sigma-multiple"]));
  set("volatilityRounds", num("volatility-rounds", values["volatility-rounds"]));
  set("volatilityFloorLeverage", num("volatility-floor", values["volatility-floor"]));
  if (values["stop-to-usdc"]) settings.stopToDebtAsset = true;
  const model = values.model as ReplayModel | undefined;
  if (model !== undefined && !REPLAY_MODELS.includes(model)) {
    throw new UsageError(`--model must be one of ${REPLAY_MODELS.join(", ")}, got '${model}'`);
  }
  const network = values["oracle-network"] as OracleNetwork | undefined;
  if (network !== undefined && !ORACLE_NETWORKS.includes(network)) {
    throw new UsageError(`--oracle-network must be one of ${ORACLE_NETWORKS.join(", ")}, got '${network}'`);
  }
  const options: Omit<BacktestOptions, "onRow"> = {
    preset: values.preset,
    venue: values.venue as Venue | undefined,
    leverage: num("leverage", values.leverage),
    depositWeth: num("deposit", values.deposit),
    bandFraction: num("band", values.band),
    model,
    oracle: {
      ...(network ? { network } : {}),
      ...defined("deviationBps", num("oracle-deviation-bps", values["oracle-deviation-bps"])),
      ...defined("heartbeat", num("heartbeat", values.heartbeat)),
      ...defined("blockTime", num("block-time", values["block-time"])),
    },
    keeperLatencyBlocks: num("keeper-latency", values["keeper-latency"]),
    liquidatorLatencyBlocks: num("liquidator-latency", values["liquidator-latency"]),
    keeperFirst: values["keeper-first"] ?? false,
    maxKeeperCalls: num("max-keeper-calls", values["max-keeper-calls"]),
    reactionDelay: num("reaction-delay", values["reaction-delay"]),
    uniswapDepth: num("uniswap-depth", values["uniswap-depth"]),
    followLiquidity: !(values["static-liquidity"] ?? false),
    peers: values["no-peers"] ? false : values.peers ? true : undefined,
    outagePath: !(values["no-outage-path"] ?? false),
    settings,
  };
  try {
    resolveOptions(options);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (options.bandFraction !== undefined && !(options.bandFraction > 0 && options.bandFraction < 1)) {
    throw new UsageError(`--band must be in (0, 1), got ${options.bandFraction}`);
  }
  return { options, quiet: values.quiet ?? false };
}

function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** parseArgs with the backtest options plus `extra`; unknown options become a one-line UsageError. */
export function parseBacktestArgv<E extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], extra: E = {} as E) {
  const options = { ...BACKTEST_OPTIONS, ...extra };
  // `--leverage -2`: node's parseArgs reads "-2" as an option ("argument is ambiguous"); glue a negative number to
  // its string option (`--leverage=-2`) so that the option's own check names the problem.
  const glued: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name && (options as Record<string, { type: string }>)[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      glued.push(`${argv[i]}=${next}`);
      i++;
    } else {
      glued.push(argv[i]);
    }
  }
  try {
    return parseArgs({ args: glued, allowPositionals: true, options });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split("\n")[0] : String(error));
  }
}

/** "1 m 05 s" / "42 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s` : `${s} s`;
}

/** Progress line: done fraction, elapsed, ETA from the work done so far. */
export function progressLine(label: string, work: number, elapsedSeconds: number): string {
  // Too early to extrapolate before 3 % of the work.
  const eta = work >= 0.03 ? (elapsedSeconds / work) * (1 - work) : NaN;
  return `${label}  ${(work * 100).toFixed(0).padStart(3)} %  ${duration(elapsedSeconds)} elapsed, ETA ${duration(eta)}`;
}
