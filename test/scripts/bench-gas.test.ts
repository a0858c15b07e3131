/**
 * `npm run bench:gas` (scripts/bench-gas.ts, body in scripts/lib/bench/gas.ts): the (preset, venue) selection from
 * `--preset` / `--venue`, the Morpho floor probe (contracts/test/MorphoGasFloorProbe.sol) against the real Morpho
 * Blue bytecode, and the bench's Morpho path end to end on one preset.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { MaxUint256 } from "ethers";
import { ASSET_FIELDS, deployMarket } from "../../scripts/lib/market/market";
import { fund } from "../../scripts/lib/market/market-helpers";
import { deployMorpho } from "../../scripts/lib/market/morpho";
import { PresetError, getPreset } from "../../scripts/lib/deploy/presets";
import { benchPreset, benchSelection, isFullSelection } from "../../scripts/lib/bench/gas";
import type { MorphoGasFloorProbe } from "../../typechain-types";

const { ethers } = hre;
const OPERATIONS = ["deposit", "partialWithdrawal", "fullWithdrawal", "keeperDeleverage", "stopLossUnwind", "ripcord"];
const pairs = (argv: string[]) => benchSelection(argv, {}).map(({ preset, venue }) => `${preset.name}@${venue}`);

describe("bench:gas", () => {
  it("runs every (preset, venue) pair by default; --preset alone runs each of its venues; --venue filters", () => {
    expect(pairs([])).to.deep.equal([
      "eth-long-3x@aave", "eth-long-3x@morpho", "eth-short-2x@aave", "btc-long-2x@aave", "wsteth-loop@aave", "wsteth-loop@morpho",
    ]);
    expect(isFullSelection(benchSelection([], {}))).to.equal(true);
    expect(pairs(["--preset", "wsteth-loop"])).to.deep.equal(["wsteth-loop@aave", "wsteth-loop@morpho"]);
    expect(pairs(["--preset=eth-short-2x"])).to.deep.equal(["eth-short-2x@aave"]);
    expect(pairs(["--venue", "morpho"])).to.deep.equal(["eth-long-3x@morpho", "wsteth-loop@morpho"]);
    expect(pairs(["--venue=aave"])).to.have.length(4);
    expect(pairs(["--preset", "eth-long-3x", "--venue", "morpho"])).to.deep.equal(["eth-long-3x@morpho"]);
    expect(benchSelection([], { BENCH_VENUE: "morpho", BENCH_PRESET: "wsteth-loop" }).map((s) => s.venue)).to.deep.equal(["morpho"]);
    expect(isFullSelection(benchSelection(["--venue", "morpho"], {}))).to.equal(false);
    expect(() => benchSelection(["--venue", "compound"], {})).to.throw(PresetError, /unknown venue 'compound'/);
    expect(() => benchSelection(["--preset", "btc-long-2x", "--venue", "morpho"], {})).to.throw(PresetError, /does not run on morpho/);
    expect(() => benchSelection(["--venue"], {})).to.throw(PresetError, /needs a value/);
  });

  it("MorphoGasFloorProbe opens a levered position on Morpho Blue and unwinds it to nothing", async () => {
    const market = await deployMarket(ethers);
    const blue = await deployMorpho(ethers, market);
    const [user] = market.users;
    const probe = (await (await ethers.getContractFactory("MorphoGasFloorProbe")).deploy(
      blue.morpho.target, market.swapRouter.target, blue.markets.wethUsdc, 500,
    )) as unknown as MorphoGasFloorProbe;
    await fund(market, user.address, { [ASSET_FIELDS.WETH.token]: 10n * 10n ** 18n });
    await (await market.weth.connect(user).getFunction("approve")(probe.target, MaxUint256)).wait();
    // 10 WETH at $2,000 levered to 3x: borrow $40,000 of USDC.
    await (await probe.connect(user).lever(10n * 10n ** 18n, 40_000n * 10n ** 6n)).wait();
    expect(await probe.debt()).to.be.closeTo(40_000n * 10n ** 6n, 2n);
    expect(await probe.collateral()).to.be.gt(29n * 10n ** 18n);
    await (await probe.exit(((await probe.debt()) * 100_001n) / 100_000n, MaxUint256, user.address)).wait();
    expect(await probe.debt()).to.equal(0n);
    expect(await probe.collateral()).to.equal(0n);
  });

  it("measures every operation on Morpho (eth-long-3x) against the Morpho floor", async () => {
    const market = await deployMarket(ethers);
    const { operations, fees } = await benchPreset(ethers, market, getPreset("eth-long-3x"), "morpho");
    expect(Object.keys(operations)).to.deep.equal(OPERATIONS);
    for (const [name, { gas, floor }] of Object.entries(operations)) {
      expect(floor, name).to.be.gt(100_000);
      // The vault pays for its checks above the floor, and the floor is what the operation cannot avoid.
      expect(gas / floor, name).to.be.within(1, 2);
    }
    expect(fees).to.equal(undefined);
  });

  it("reports/gas.json keeps the Aave shape and holds every Morpho preset", () => {
    const report = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "reports", "gas.json"), "utf8"));
    expect(report.operations).to.deep.equal(report.presets["eth-long-3x"]);
    expect(Object.keys(report.presets)).to.deep.equal(["eth-long-3x", "eth-short-2x", "btc-long-2x", "wsteth-loop"]);
    expect(Object.keys(report.morpho)).to.deep.equal(["eth-long-3x", "wsteth-loop"]);
    // The kinds on both venues also measure a refinance to the other venue (issue 20), against its floor.
    for (const ops of Object.values(report.morpho) as Record<string, { gas: number; floor: number }>[]) {
      expect(Object.keys(ops)).to.deep.equal([...OPERATIONS, "refinance"]);
      expect(ops.refinance.floor).to.be.gt(0);
    }
    for (const name of ["eth-long-3x", "wsteth-loop"]) expect(report.presets[name]).to.have.property("refinance");
  });
});
