import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, ZeroAddress, parseEther } from "ethers";
import type { AaveUniswapLeverageVault, ILeveredVault } from "../../typechain-types";
import { recordGas } from "../shared/gas";
import { Action } from "../shared/keeper";
import { advanceTime, setMarketPrice } from "../shared/market-helpers";
import { deployModule, localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { createVault, toSalt, vaultInitParams } from "../../scripts/lib/deploy/deploy";
import { SETTINGS_3X, stackWorld, vaultStackWorld } from "./fixtures";

const WAD = 10n ** 18n;

describe("factory and registry", () => {
  describe("createVault", () => {
    it("deploys at the predicted CREATE2 address, registers the vault and emits VaultCreated + VaultRegistered (gas recorded)", async () => {
      const { stack, alice } = await loadFixture(stackWorld);
      const { factory, registry, module } = stack;
      const { settings, params, salt } = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt: "alice-1" });
      const predicted = await factory.predictVaultAddress(alice.address, settings.name, settings.symbol, params, salt);
      expect(await hre.ethers.provider.getCode(predicted)).to.equal("0x");

      const tx = await factory.connect(alice).createVault(settings.name, settings.symbol, params, salt);
      await recordGas("factory.createVault", tx);
      await expect(tx)
        .to.emit(factory, "VaultCreated")
        .withArgs(predicted, alice.address, salt, settings.name, settings.symbol)
        .and.to.emit(registry, "VaultRegistered")
        .withArgs(predicted, factory.target);

      expect(await hre.ethers.provider.getCode(predicted)).to.not.equal("0x");
      expect(await registry.isRegistered(predicted)).to.equal(true);
      expect(await registry.vaultCount()).to.equal(1n);
      const core = (await hre.ethers.getContractAt("AaveUniswapLeverageVault", predicted)) as unknown as AaveUniswapLeverageVault;
      expect(await core.MODULE()).to.equal(module.target);
      const vault = (await hre.ethers.getContractAt("ILeveredVault", predicted)) as unknown as ILeveredVault;
      expect(await vault.name()).to.equal(settings.name);
      expect(await vault.owner()).to.equal(alice.address);
      expect(await vault.manager()).to.equal(alice.address);
      expect(await vault.asset()).to.equal(stack.markets.collateralAsset);
      expect(await vault.debtAsset()).to.equal(stack.markets.debtAsset);
      expect((await vault.leverageConfig()).targetLeverage).to.equal(3n * WAD);
    });

    it("lists vaults in creation order and pages them, out-of-range pages are empty", async () => {
      const { stack, alice, bob } = await loadFixture(stackWorld);
      const { factory, registry } = stack;
      const a1 = await createVault(hre.ethers, factory, alice, { settings: SETTINGS_3X, salt: "one" });
      const b1 = await createVault(hre.ethers, factory, bob, { settings: SETTINGS_3X, salt: "one" });
      const a2 = await createVault(hre.ethers, factory, alice, { settings: { ...SETTINGS_3X, symbol: "lvWETH3x-b" }, salt: "two" });
      const all = [a1.address, b1.address, a2.address];

      expect(await registry.vaultCount()).to.equal(3n);
      expect(await registry.vaults(0, 10)).to.deep.equal(all);
      expect(await registry.vaults(0, 3)).to.deep.equal(all);
      expect(await registry.vaults(0, 2)).to.deep.equal(all.slice(0, 2));
      expect(await registry.vaults(1, 1)).to.deep.equal([b1.address]);
      expect(await registry.vaults(2, 5)).to.deep.equal([a2.address]);
      expect(await registry.vaults(0, 0)).to.deep.equal([]);
      expect(await registry.vaults(3, 1)).to.deep.equal([]);
      expect(await registry.vaults(100, 5)).to.deep.equal([]);
      expect(await registry.vaults(1, MaxUint256)).to.deep.equal(all.slice(1)); // no overflow on "everything"
    });

    it("refuses the same (creator, salt, arguments) twice: CREATE2 collision", async () => {
      const { stack, alice } = await loadFixture(stackWorld);
      const { factory, registry } = stack;
      const { settings, params, salt } = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt: "same" });
      await (await factory.connect(alice).createVault(settings.name, settings.symbol, params, salt)).wait();
      await expect(factory.connect(alice).createVault(settings.name, settings.symbol, params, salt)).to.be.reverted;
      expect(await registry.vaultCount()).to.equal(1n);
    });

    it("gives two creators using the same salt different addresses, each the one predicted for its creator", async () => {
      const { stack, alice, bob } = await loadFixture(stackWorld);
      const { factory } = stack;
      const salt = toSalt("shared salt");
      const a = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt });
      const b = vaultInitParams(bob.address, { settings: SETTINGS_3X, salt, roles: { owner: alice.address, manager: alice.address, guardian: alice.address } });
      // Same arguments apart from the creator: bob cannot take the address alice is about to use.
      expect(b.params).to.deep.equal(a.params);
      const predictedA = await factory.predictVaultAddress(alice.address, a.settings.name, a.settings.symbol, a.params, salt);
      const predictedB = await factory.predictVaultAddress(bob.address, b.settings.name, b.settings.symbol, b.params, salt);
      expect(predictedA).to.not.equal(predictedB);

      const fromBob = await createVault(hre.ethers, factory, bob, { settings: SETTINGS_3X, salt, roles: b.roles });
      const fromAlice = await createVault(hre.ethers, factory, alice, { settings: SETTINGS_3X, salt });
      expect(fromBob.address).to.equal(predictedB);
      expect(fromAlice.address).to.equal(predictedA);
    });
  });

  describe("module binding", () => {
    it("refuses a module built for other feeds or markets (FactoryModuleMismatch) and so does the vault (VaultModuleMismatch)", async () => {
      const { stack, market, owner, alice } = await loadFixture(stackWorld);
      const markets = localMarketAddresses(market);
      const oracle = localOracleConfig(market);
      const otherOracle = await deployModule(hre.ethers, markets, { ...oracle, collateralHeartbeat: 7200 }, owner);
      const otherMarkets = await deployModule(hre.ethers, { ...markets, swapRouter: stack.owner.address }, oracle, owner);

      const Factory = await hre.ethers.getContractFactory("AaveUniswapVaultFactory", owner);
      for (const module of [otherOracle, otherMarkets]) {
        await expect(Factory.deploy(markets, oracle, module.target, stack.registry.target, await stack.factory.DEPLOYER())).to.be.revertedWithCustomError(
          Factory,
          "FactoryModuleMismatch",
        );
      }

      const Vault = await hre.ethers.getContractFactory("AaveUniswapLeverageVault", owner);
      const { settings, params } = vaultInitParams(alice.address, { settings: SETTINGS_3X });
      await expect(
        Vault.deploy(markets, oracle, settings.name, settings.symbol, otherOracle.target, params),
      ).to.be.revertedWithCustomError(Vault, "VaultModuleMismatch");
      // The stack's own module is accepted by a direct deployment too.
      const direct = await Vault.deploy(markets, oracle, settings.name, settings.symbol, stack.module.target, params);
      await direct.waitForDeployment();
      expect(await direct.MODULE()).to.equal(stack.module.target);
    });
  });

  describe("registry access", () => {
    it("only approved factories register: RegistryUnauthorizedFactory(caller)", async () => {
      const { stack, stranger } = await loadFixture(stackWorld);
      await expect(stack.registry.connect(stranger).register(stranger.address))
        .to.be.revertedWithCustomError(stack.registry, "RegistryUnauthorizedFactory")
        .withArgs(stranger.address);
      expect(await stack.registry.isFactory(stack.factory.target)).to.equal(true);
      expect(await stack.registry.isFactory(stranger.address)).to.equal(false);
    });

    it("refuses to list a vault twice: RegistryAlreadyRegistered(vault)", async () => {
      const { stack, owner, stranger, alice } = await loadFixture(stackWorld);
      const { registry } = stack;
      const created = await createVault(hre.ethers, stack.factory, alice, { settings: SETTINGS_3X });
      await (await registry.connect(owner).setFactory(stranger.address, true)).wait();
      await expect(registry.connect(stranger).register(created.address))
        .to.be.revertedWithCustomError(registry, "RegistryAlreadyRegistered")
        .withArgs(created.address);
      const other = "0x000000000000000000000000000000000000bEEF";
      await expect(registry.connect(stranger).register(other)).to.emit(registry, "VaultRegistered").withArgs(other, stranger.address);
      await expect(registry.connect(stranger).register(other))
        .to.be.revertedWithCustomError(registry, "RegistryAlreadyRegistered")
        .withArgs(other);
      expect(await registry.vaults(0, 10)).to.deep.equal([created.address, other]);
    });

    it("setFactory is owner only (OwnableUnauthorizedAccount); a revoked factory can no longer create vaults", async () => {
      const { stack, owner, stranger, alice } = await loadFixture(stackWorld);
      const { registry, factory } = stack;
      await expect(registry.connect(stranger).setFactory(stranger.address, true))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      expect(await registry.owner()).to.equal(owner.address);

      await expect(registry.connect(owner).setFactory(factory.target, false))
        .to.emit(registry, "FactorySet")
        .withArgs(factory.target, false);
      const { settings, params, salt } = vaultInitParams(alice.address, { settings: SETTINGS_3X });
      await expect(factory.connect(alice).createVault(settings.name, settings.symbol, params, salt))
        .to.be.revertedWithCustomError(registry, "RegistryUnauthorizedFactory")
        .withArgs(factory.target);
    });
  });

  describe("a factory-made vault end to end", () => {
    it("levers a deposit to target, lets the keeper act, and pays the holder back on redeem", async () => {
      const { created, alice, keeper, market } = await loadFixture(vaultStackWorld);
      const { vault } = created;
      expect(await vault.isKeeper(keeper.address)).to.equal(true);
      expect(await vault.totalAssets()).to.equal(0n);

      await (await vault.connect(alice)["deposit(uint256,address)"](parseEther("10"), alice.address)).wait();
      const p = await vault.position();
      expect(p.leverage).to.be.closeTo(3n * WAD, WAD / 100n);
      expect(p.healthFactor).to.be.gt((WAD * 115n) / 100n);
      expect(p.debt).to.be.gt(0n);
      // 10 WETH less the cost of levering (slippage + fees on ~20 WETH of swaps).
      expect(await vault.totalAssets()).to.be.within(parseEther("9.9"), parseEther("10"));
      expect((await vault.trigger()).needed).to.equal(false);

      await advanceTime(3600, market);
      await setMarketPrice(market, 2200);
      expect((await vault.trigger()).action).to.equal(Action.ReleverBand);
      await (await vault.connect(keeper).rebalance()).wait();
      expect((await vault.position()).leverage).to.be.closeTo(3n * WAD, WAD / 100n);

      const shares = await vault.balanceOf(alice.address);
      const before = await market.weth.balanceOf(alice.address);
      await (await vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).wait();
      const received = (await market.weth.balanceOf(alice.address)) - before;
      // Worth more than 10 WETH of equity after a +10% move at 3x, less exit costs.
      expect(received).to.be.within(parseEther("11.5"), parseEther("12"));
      expect(await vault.totalSupply()).to.equal(0n);
      expect((await vault.position()).debt).to.equal(0n);
    });

    it("the registry and factory expose what keepers and scripts need", async () => {
      const { stack, created } = await loadFixture(vaultStackWorld);
      expect(await stack.factory.REGISTRY()).to.equal(stack.registry.target);
      expect(await stack.factory.MODULE()).to.equal(stack.module.target);
      expect(await stack.factory.MARKETS_HASH()).to.equal(await stack.module.MARKETS_HASH());
      const markets = await stack.factory.markets();
      expect(markets.aavePool).to.equal(stack.markets.aavePool);
      expect((await stack.factory.oracle()).sequencerFeed).to.equal(ZeroAddress);
      expect(await stack.registry.vaults(0, MaxUint256 / 2n)).to.deep.equal([created.address]);
    });
  });
});
