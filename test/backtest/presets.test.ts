/**
 * The replay runs every preset (scripts/lib/backtest/kind.ts): its own vaults and assets on the local market, its
 * reference price moved along a short mild path (ETH/USD; BTC/USD scaled from it; the wstETH/ETH rate for the loop),
 * on each venue it runs on (Aave; Morpho for eth-long-3x and the loop, its managed vault registered for the keeper bot),
 * and reports sane numbers. An unknown preset, or an option only the default kind takes, stops with one clear line.
 */
import { expect } from "chai";
import hre from "hardhat";
import { runBacktest } from "../../scripts/lib/backtest/replay";
import { UsageError, backtestOptionsFrom, parseBacktestArgv } from "../../scripts/lib/backtest/cli";
import { BACKTEST_DEPOSITS } from "../../scripts/lib/backtest/options";
import { presetVenues, type PresetName } from "../../scripts/lib/deploy/presets";

const HOUR = 3600;
/** Six hours drifting 2 % against the position and back half of it, from `start`. */
const mildPath = (start: number, sign: 1 | -1) =>
  [0, -0.005, -0.01, -0.02, -0.015, -0.01].map((move, i) => ({ timestamp: 1_700_000_000 + i * HOUR, price: start * (1 + sign * move) }));

describe("backtest: every preset", function () {
  this.timeout(120_000);

  for (const { preset, venue } of presetVenues()) {
    const name = preset.name;
    it(`${name} on ${venue}: both vaults built from the preset, not liquidated on a mild path, numbers sane`, async () => {
      const start = preset.reference === "wstETH/ETH" ? 1.15 : 2000;
      const run = await runBacktest(hre, mildPath(start, preset.direction === 1 ? 1 : -1), { preset: name, venue, peers: false });
      expect(run.kind).to.include({ preset: name, venue, collateral: preset.collateral, debt: preset.debt });
      expect(run.settings.targetLeverage).to.equal(name === "eth-long-3x" ? 3 : preset.settings.targetLeverage);
      expect(run.options.depositWeth).to.equal(BACKTEST_DEPOSITS[name as PresetName]);
      expect(run.liquidations).to.deep.equal([]);
      expect(run.keeperFailures).to.deep.equal([]);
      const [first, last] = [run.rows[0], run.rows[run.rows.length - 1]];
      // Opened at the target leverage (within its band), on the deposit's value.
      expect(first.managed.leverage!).to.be.within(run.settings.minLeverage, run.settings.maxLeverage);
      expect(first.managed.equity).to.be.closeTo(first.spotEquity, first.spotEquity * 0.02);
      // A 1 % adverse move costs about leverage x 1 % of equity (exposure -(L-1) for the short).
      const exposure = preset.direction === 1 ? run.settings.targetLeverage : run.settings.targetLeverage - 1;
      const loss = 1 - last.managed.equity / first.managed.equity;
      expect(loss).to.be.within(0.005 * exposure, 0.02 * exposure);
      expect(run.extremes.managed.minHealthFactor).to.be.greaterThan(1);
      expect(run.extremes.managed.maxDrawdownPct).to.be.within(0, 2.5 * exposure);
      expect(run.extremes.unmanaged.maxDrawdownPct).to.be.greaterThan(0);
    });
  }

  it("eth-long-3x on morpho: the keeper bot finds the managed vault in the registry and delevers it after a -8 % move", async () => {
    const fall = [2000, 2000, 1840, 1840].map((price, i) => ({ timestamp: 1_700_000_000 + i * HOUR, price }));
    const run = await runBacktest(hre, fall, { venue: "morpho", peers: false });
    expect(run.keeperActions.map((a) => a.action)).to.include("DeleverBand");
    expect(run.rows[run.rows.length - 1].managed.leverage!).to.be.lessThan(run.rows[run.rows.length - 1].unmanaged.leverage!);
    expect(run.liquidations).to.deep.equal([]);
  });

  it("an unknown preset, --leverage or --peers with another preset: one-line errors before any chain work", () => {
    const parse = (...argv: string[]) => backtestOptionsFrom(parseBacktestArgv(["path.csv", ...argv]).values);
    expect(() => parse("--preset", "eth-long-9x")).to.throw(UsageError, /unknown preset 'eth-long-9x'; presets: eth-long-3x, eth-short-2x/);
    expect(() => parse("--preset", "btc-long-2x", "--leverage", "3")).to.throw(UsageError, /--leverage applies to eth-long-3x only/);
    expect(() => parse("--preset", "wsteth-loop", "--peers")).to.throw(UsageError, /ETH-long-specific/);
    expect(() => parse("--preset", "eth-short-2x", "--venue", "morpho")).to.throw(UsageError, /does not run on morpho/);
    expect(parse("--preset", "wsteth-loop").options.preset).to.equal("wsteth-loop");
  });
});
