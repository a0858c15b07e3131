/**
 * Morpho Blue on the local market (issue 20, item 1): the real Morpho Blue 1.0.0 bytecode compiled from its npm
 * package with solc 0.8.19, beside Aave, on the same feeds. What a Morpho venue will rely on: the markets as
 * configured, the oracle's 1e36 scale, borrowing up to the LLTV and not beyond, repaying by shares to zero,
 * withdrawing all collateral, free flash loans, and liquidation with Morpho's own incentive (not Aave's bonus).
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseEther, type Contract } from "ethers";
import { deployMarket, type Market } from "../shared/market";
import { fund, setMarketPrice } from "../shared/market-helpers";
import { MORPHO_LLTV, MORPHO_SEED, deployMorpho, morphoMarketId, type MorphoBlue } from "../../scripts/lib/market/morpho";

const WAD = 10n ** 18n;

async function morphoWorld(): Promise<{ market: Market; blue: MorphoBlue }> {
  const market = await deployMarket();
  return { market, blue: await deployMorpho(hre.ethers, market) };
}

/** alice supplies 10 WETH as collateral on the WETH/USDC market. */
async function withCollateral() {
  const w = await morphoWorld();
  const [alice] = w.market.users;
  await fund(w.market, alice.address, { weth: parseEther("10") });
  await (await w.market.weth.connect(alice).getFunction("approve")(w.blue.morpho.target, MaxUint256)).wait();
  await (await (w.blue.morpho.connect(alice) as Contract).supplyCollateral(w.blue.markets.wethUsdc, parseEther("10"), alice.address, "0x")).wait();
  return { ...w, alice };
}

describe("market: Morpho Blue (real bytecode from @morpho-org/morpho-blue, solc 0.8.19)", () => {
  it("is deployed and configured: IRM and LLTVs enabled, both markets created and seeded by the lp", async () => {
    const { market, blue } = await loadFixture(morphoWorld);
    expect(await blue.morpho.owner()).to.equal(market.deployer.address);
    expect(await blue.morpho.isIrmEnabled(blue.irm.target)).to.equal(true);
    for (const lltv of Object.values(MORPHO_LLTV)) expect(await blue.morpho.isLltvEnabled(lltv)).to.equal(true);
    const usdcMarket = await blue.morpho.market(morphoMarketId(blue.markets.wethUsdc));
    expect(usdcMarket.totalSupplyAssets).to.equal(MORPHO_SEED.usdc);
    const wethMarket = await blue.morpho.market(morphoMarketId(blue.markets.wstethWeth));
    expect(wethMarket.totalSupplyAssets).to.equal(MORPHO_SEED.weth);
    const params = await blue.morpho.idToMarketParams(morphoMarketId(blue.markets.wstethWeth));
    expect(params.lltv).to.equal(MORPHO_LLTV.wstethWeth);
  });

  it("prices one raw collateral unit in raw loan units, scaled 1e36, from the vaults' feeds", async () => {
    const { blue } = await loadFixture(morphoWorld);
    // 1 WETH (1e18 raw) = 2,000 USDC (2e9 raw): 2e9 / 1e18 * 1e36.
    expect(await blue.oracles.wethUsdc.price()).to.equal(2000n * 10n ** 24n);
    // 1 wstETH = 1.15 WETH, through the wstETH/USD product feed (8 decimals) over ETH/USD.
    expect(Number((await blue.oracles.wstethWeth.price()) / 10n ** 20n) / 1e16).to.be.closeTo(1.15, 1e-6);
  });

  it("lends up to the LLTV and refuses a borrow beyond it; repay by shares leaves no dust; all collateral comes back", async () => {
    const { market, blue, alice } = await loadFixture(withCollateral);
    const morpho = blue.morpho.connect(alice) as Contract;
    const params = blue.markets.wethUsdc;
    // 10 WETH at $2,000 at an 86 % LLTV: at most 17,200 USDC.
    await expect(morpho.borrow(params, 17_201n * 10n ** 6n, 0n, alice.address, alice.address)).to.be.revertedWith("insufficient collateral");
    await (await morpho.borrow(params, 17_000n * 10n ** 6n, 0n, alice.address, alice.address)).wait();
    expect(await market.usdc.balanceOf(alice.address)).to.equal(17_000n * 10n ** 6n);
    // A year of interest accrues; repaying every borrow share clears the debt exactly.
    await hre.network.provider.send("evm_increaseTime", [365 * 86_400]);
    await fund(market, alice.address, { usdc: 2_000n * 10n ** 6n });
    await (await market.usdc.connect(alice).getFunction("approve")(blue.morpho.target, MaxUint256)).wait();
    const id = morphoMarketId(params);
    const { borrowShares } = await blue.morpho.position(id, alice.address);
    await (await morpho.repay(params, 0n, borrowShares, alice.address, "0x")).wait();
    expect((await blue.morpho.position(id, alice.address)).borrowShares).to.equal(0n);
    await (await morpho.withdrawCollateral(params, parseEther("10"), alice.address, alice.address)).wait();
    expect(await market.weth.balanceOf(alice.address)).to.equal(parseEther("10"));
  });

  it("flash loans are free: the whole loan goes back, nothing more", async () => {
    const { market, blue } = await loadFixture(morphoWorld);
    const factory = await hre.ethers.getContractFactory("@morpho-org/morpho-blue/src/mocks/FlashBorrowerMock.sol:FlashBorrowerMock");
    const borrower = (await factory.deploy(blue.morpho.target)) as unknown as Contract;
    const before: bigint = await market.usdc.balanceOf(blue.morpho.target);
    const data = hre.ethers.AbiCoder.defaultAbiCoder().encode(["address"], [market.usdc.target]);
    await (await borrower.flashLoan(market.usdc.target, before, data)).wait();
    expect(await market.usdc.balanceOf(blue.morpho.target)).to.equal(before);
    expect(await market.usdc.balanceOf(borrower.target)).to.equal(0n);
  });

  it("liquidates an unhealthy borrower with Morpho's incentive, 1 / (1 - 0.3 (1 - LLTV)), not Aave's bonus", async () => {
    const { market, blue, alice } = await loadFixture(withCollateral);
    const params = blue.markets.wethUsdc;
    await (await (blue.morpho.connect(alice) as Contract).borrow(params, 17_000n * 10n ** 6n, 0n, alice.address, alice.address)).wait();
    await setMarketPrice(market, 1900);
    const { liquidator } = market;
    await fund(market, liquidator.address, { usdc: 20_000n * 10n ** 6n });
    const seized = parseEther("2");
    const usdcBefore: bigint = await market.usdc.balanceOf(liquidator.address);
    await (await (blue.morpho.connect(liquidator) as Contract).liquidate(params, alice.address, seized, 0n, "0x")).wait();
    const repaid = usdcBefore - ((await market.usdc.balanceOf(liquidator.address)) as bigint);
    expect(await market.weth.balanceOf(liquidator.address)).to.equal(seized);
    // Seized value / repaid value = the incentive factor (LIF), 1.0438 at an 86 % LLTV.
    const lif = (WAD * WAD) / (WAD - (3n * (WAD - MORPHO_LLTV.wethUsdc)) / 10n);
    const seizedUsdc = (seized * 1900n) / 10n ** 12n;
    expect(Number((seizedUsdc * WAD) / repaid) / 1e18).to.be.closeTo(Number(lif) / 1e18, 1e-4);
  });
});
