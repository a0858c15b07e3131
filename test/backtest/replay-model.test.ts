/**
 * The backtester's pure parts: the feed's update schedule along a path (deviation, heartbeat, lows, outages), the
 * CSV's optional low column, the CLI's option checks (before any chain work) and the market price along the path.
 */
import { expect } from "chai";
import { marketSteps, stepSummary, ORACLE_PRESETS } from "../../scripts/lib/backtest/oracle";
import { parsePricePath } from "../../scripts/lib/backtest/prices";
import { UsageError, backtestOptionsFrom, parseBacktestArgv, progressLine } from "../../scripts/lib/backtest/cli";
import { marketPrice } from "../../scripts/lib/backtest/replay";

const HOUR = 3600;
const path = (prices: number[], step = HOUR) => prices.map((price, i) => ({ timestamp: 1_700_000_000 + i * step, price }));

describe("backtest: realistic replay schedule", () => {
  const mainnet = ORACLE_PRESETS.mainnet;

  it("a flat path updates the feed at each heartbeat only", () => {
    const steps = marketSteps(path([2000, 2000, 2000, 2000]), mainnet);
    expect(steps.map((s) => s.reason)).to.deep.equal(["heartbeat", "heartbeat", "heartbeat"]);
    expect(steps.map((s) => s.t)).to.deep.equal([HOUR, 2 * HOUR, 3 * HOUR]);
  });

  it("a -21% hour is about forty 0.5% updates, each at the threshold, in time order", () => {
    const steps = marketSteps(path([2000, 1580]), mainnet);
    const expected = Math.floor(Math.log(1580 / 2000) / Math.log(1 - 0.005));
    expect(steps.length).to.equal(expected);
    expect(expected).to.be.within(40, 50);
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i].t).to.be.greaterThan(steps[i - 1].t);
      expect(steps[i].price / steps[i - 1].price).to.be.closeTo(0.995, 1e-9);
    }
    expect(steps.every((s) => s.feed && s.reason === "deviation" && s.row === 1)).to.equal(true);
  });

  it("a row's low is walked through: previous close -> low -> close", () => {
    const rows = parsePricePath("timestamp,price,low\n3600,2000,\n7200,2000,1800\n");
    const steps = marketSteps(rows, mainnet);
    const lowest = Math.min(...steps.map((s) => s.price));
    expect(lowest).to.be.lessThan(1810).and.greaterThan(1790);
    const atLow = steps.findIndex((s) => s.price === lowest);
    expect(steps[atLow].t).to.be.closeTo(1800, 20);
    expect(steps[steps.length - 1].price).to.be.closeTo(2000, 2000 * 0.005);
    expect(marketPrice(rows)(1800)).to.be.closeTo(1800, 1e-9);
  });

  it("a gap in the CSV is an outage: pools move, the feed is silent until the row after it, then jumps", () => {
    const rows = [...path([2000, 2000, 2000]), { timestamp: 1_700_000_000 + 5 * HOUR, price: 1600 }];
    const steps = marketSteps(rows, mainnet);
    const summary = stepSummary(steps);
    expect(summary.outages).to.equal(1);
    expect(summary.outageSteps).to.be.greaterThan(30);
    const outage = steps.filter((s) => s.reason === "outage");
    expect(outage.every((s) => !s.feed && s.t > 2 * HOUR && s.t < 5 * HOUR)).to.equal(true);
    const end = steps[steps.length - 1];
    expect(end).to.include({ reason: "outage-end", feed: true, price: 1600, t: 5 * HOUR });
  });

  it("rejects a low above the close and a bad header", () => {
    expect(() => parsePricePath("timestamp,price,low\n3600,2000,\n7200,1900,1950\n")).to.throw(/low 1950/);
    expect(() => parsePricePath("time,price\n1,1\n2,2\n")).to.throw(/header/);
  });
});

describe("backtest: CLI options", () => {
  const parse = (...argv: string[]) => backtestOptionsFrom(parseBacktestArgv(argv).values);

  it("rejects --leverage 0.5 in one line, before the chain starts", () => {
    expect(() => parse("--leverage", "0.5")).to.throw(UsageError, /^--leverage must be above 1/);
  });

  it("rejects unknown options, models and networks with a UsageError", () => {
    expect(() => parseBacktestArgv(["--nope"])).to.throw(UsageError);
    expect(() => parse("--model", "fast")).to.throw(UsageError, /--model/);
    expect(() => parse("--oracle-network", "solana")).to.throw(UsageError, /--oracle-network/);
    expect(() => parse("--heartbeat", "abc")).to.throw(UsageError, /not a number/);
    expect(() => parse("--keeper-latency", "1.5")).to.throw(UsageError, /whole number/);
  });

  it("reads the oracle and latency options", () => {
    const { options } = parse("--model", "rows", "--oracle-deviation-bps", "25", "--heartbeat", "1200", "--keeper-latency", "3");
    expect(options.model).to.equal("rows");
    expect(options.oracle).to.deep.equal({ deviationBps: 25, heartbeat: 1200 });
    expect(options.keeperLatencyBlocks).to.equal(3);
  });

  it("prints an ETA only once there is something to extrapolate from", () => {
    expect(progressLine("row 2/100", 0.01, 5)).to.match(/ETA \?/);
    expect(progressLine("row 50/100", 0.5, 60)).to.match(/ETA 1 m 00 s/);
  });
});

describe("backtest: default vault settings", () => {
  it("at 3x: the 3x preset's volatility-aware leverage (6 h, 3 sigma, 8 rounds, floor 1.5x); --volatility-horizon 0 turns it off", async () => {
    const { backtestSettings } = await import("../../scripts/lib/backtest/settings");
    const { PRESET_3X } = await import("../../scripts/lib/deploy/vault");
    expect(backtestSettings(3)).to.include({ volatilityHorizon: 21_600, sigmaMultiple: 3, volatilityRounds: 8, volatilityFloorLeverage: 1.5 });
    expect(backtestSettings(3)).to.include({
      volatilityHorizon: PRESET_3X.volatilityHorizon,
      sigmaMultiple: PRESET_3X.sigmaMultiple,
      volatilityRounds: PRESET_3X.volatilityRounds,
      volatilityFloorLeverage: PRESET_3X.volatilityFloorLeverage,
    });
    const { options } = backtestOptionsFrom(parseBacktestArgv(["x.csv", "--volatility-horizon", "0"]).values);
    expect(backtestSettings(3, options.settings)).to.include({ volatilityHorizon: 0 });
  });

  it("at other leverages: off unless configured", async () => {
    const { backtestSettings } = await import("../../scripts/lib/backtest/settings");
    expect(backtestSettings(2)).to.include({ volatilityHorizon: 0 });
    expect(backtestSettings(2, { volatilityHorizon: 3600 })).to.include({ volatilityHorizon: 3600 });
  });
});
