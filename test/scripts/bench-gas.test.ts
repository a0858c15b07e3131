/**
 * `npm run bench:gas` (scripts/bench-gas.ts, body in scripts/lib/bench/gas.ts): the (preset, venue) selection from
 * `--preset` / `--venue`, the Morpho floor probe (contracts/test/MorphoGasFloorProbe.sol) against the real Morpho
 * Blue bytecode, the guards of its guarded build (contracts/test/GuardReads.sol), and the bench end to end on one
 * preset on each venue: floor <= guarded floor <= vault gas for every operation.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { MaxUint256, ZeroAddress } from "ethers";
import { ASSET_FIELDS, deployMarket } from "../../scripts/lib/market/market";
import { fund, refreshFeeds } from "../../scripts/lib/market/market-helpers";
import { deployMorpho } from "../../scripts/lib/market/morpho";
import { PresetError, getPreset, localPair, presetSettings } from "../../scripts/lib/deploy/presets";
import { GUARDED_OP, benchPreset, benchSelection, guardConfig, isFullSelection, type Operations } from "../../scripts/lib/bench/gas";
import type { GuardedMorphoGasFloorProbe, MorphoGasFloorProbe } from "../../typechain-types";

const { ethers } = hre;
const OPERATIONS = ["deposit", "partialWithdrawal", "fullWithdrawal", "keeperDeleverage", "stopLossUnwind", "ripcord"];
/** Every operation's guarded floor lies between its floor and the vault's gas. */
function expectGuardedBetween(operations: Operations, where: string) {
  for (const [name, { gas, floor, guardedFloor }] of Object.entries(operations)) {
    // The mandated guards cost something, and no more than the vault pays above the floor.
    expect(guardedFloor, `${where} ${name}`).to.be.gt(floor);
    expect(guardedFloor, `${where} ${name}`).to.be.lte(gas);
  }
}
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

  it("the guarded build runs the mandated guards: keeper, cooldown, fresh feeds, DEX deviation, position after", async () => {
    const market = await deployMarket(ethers);
    const blue = await deployMorpho(ethers, market);
    const [user, keeper] = market.users;
    const preset = getPreset("eth-long-3x");
    const settings = presetSettings(preset, {}, { cooldown: 3600 }, "morpho");
    const guards = await guardConfig(market, localPair(preset), settings, keeper.address);
    expect(guards.volatilityAware).to.equal(true);
    const probe = (await (await ethers.getContractFactory("GuardedMorphoGasFloorProbe")).deploy(
      blue.morpho.target, market.swapRouter.target, blue.markets.wethUsdc, 500, guards,
    )) as unknown as GuardedMorphoGasFloorProbe;
    await fund(market, user.address, { [ASSET_FIELDS.WETH.token]: 10n * 10n ** 18n });
    await (await market.weth.connect(user).getFunction("approve")(probe.target, MaxUint256)).wait();
    const WETH = 10n ** 18n;
    await (await probe.connect(user).guarded(GUARDED_OP.Deposit, 10n * WETH, 40_000n * 10n ** 6n, ZeroAddress)).wait();
    expect(await probe.debt()).to.be.closeTo(40_000n * 10n ** 6n, 2n);

    // Keeper operations: the keeper slot only; a band rebalance waits out the cooldown and restarts it.
    await expect(probe.connect(user).guarded(GUARDED_OP.KeeperDeleverage, WETH, 0n, ZeroAddress))
      .to.be.revertedWithCustomError(probe, "GuardUnauthorized").withArgs(user.address);
    await (await probe.connect(keeper).guarded(GUARDED_OP.KeeperDeleverage, WETH, 0n, ZeroAddress)).wait();
    const at = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    // Slot 0: the keeper, then the time of the last band rebalance.
    expect(BigInt(await ethers.provider.getStorage(probe.target, 0))).to.equal((at << 160n) | BigInt(keeper.address));
    await expect(probe.connect(keeper).guarded(GUARDED_OP.KeeperDeleverage, WETH, 0n, ZeroAddress))
      .to.be.revertedWithCustomError(probe, "GuardCooldown").withArgs(at + 3600n);
    // The ripcord is anyone's.
    await (await probe.connect(user).guarded(GUARDED_OP.Ripcord, WETH / 10n, WETH / 1000n, user.address)).wait();

    // The DEX against the oracle: the ETH feed alone 5 % up puts the pool outside the 1 % bound.
    const answer = (await market.ethUsdFeed.latestRoundData())[1];
    await (await market.ethUsdFeed.setAnswer((answer * 105n) / 100n)).wait();
    await expect(probe.connect(keeper).guarded(GUARDED_OP.StopLoss, 1000n * 10n ** 6n, WETH, ZeroAddress))
      .to.be.revertedWithCustomError(probe, "GuardDeviation");
    await (await market.ethUsdFeed.setAnswer(answer)).wait();

    // Stale feeds: past the ETH/USD heartbeat (1 h) nothing runs, a withdrawal neither.
    await ethers.provider.send("evm_increaseTime", [3601]);
    await expect(probe.connect(user).guarded(GUARDED_OP.Withdrawal, 1000n * 10n ** 6n, WETH, user.address))
      .to.be.revertedWithCustomError(probe, "GuardStale");
    await refreshFeeds(market);
    await (await probe.connect(user).guarded(GUARDED_OP.Withdrawal, ((await probe.debt()) * 100_001n) / 100_000n, MaxUint256, user.address)).wait();
    expect(await probe.debt()).to.equal(0n);
  });

  for (const venue of ["aave", "morpho"] as const) {
    it(`measures every operation on ${venue} (eth-long-3x) against its floor and its guarded floor`, async () => {
      const market = await deployMarket(ethers);
      const { operations, fees } = await benchPreset(ethers, market, getPreset("eth-long-3x"), venue);
      expect(Object.keys(operations)).to.deep.equal(OPERATIONS);
      for (const [name, { gas, floor }] of Object.entries(operations)) {
        expect(floor, name).to.be.gt(100_000);
        // The vault pays for its checks above the floor, and the floor is what the operation cannot avoid.
        expect(gas / floor, name).to.be.within(1, 2);
      }
      expectGuardedBetween(operations, venue);
      expect(fees === undefined).to.equal(venue === "morpho");
    });
  }

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
    // Every operation of every pair, refinance included, has its guarded floor between its floor and the vault's gas.
    for (const venue of ["presets", "morpho"]) {
      for (const [preset, ops] of Object.entries(report[venue] as Record<string, Operations>)) {
        for (const op of Object.values(ops)) expect(Object.keys(op)).to.deep.equal(["gas", "floor", "guardedFloor"]);
        expectGuardedBetween(ops, `${preset} (${venue})`);
      }
    }
  });
});
