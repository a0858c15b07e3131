import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, ParamType, ZeroAddress, encodeBytes32String, getAddress, parseEther, toBeHex, zeroPadValue } from "ethers";
import type { ILeveredVault, VaultFactory, VaultRegistry } from "../../typechain-types";
import { recordGas } from "../shared/gas";
import { Action } from "../shared/keeper";
import { advanceTime, setMarketPrice } from "../shared/market-helpers";
import { runTask } from "../shared/tasks";
import { LONG_ETH_PAIR, deployModule, localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { deployMorphoModule, localMorphoMarkets } from "../../scripts/lib/deploy/morpho-vault";
import { createVault, deployStack, deployVaultDeployer, encodeMarkets, toSalt, vaultInitParams, type Venue } from "../../scripts/lib/deploy/deploy";
import { MARKETS_TUPLES, VENUE_CONTRACTS, VENUE_IDS, decodeMarkets, encodeMarketsOf, kindId } from "../../scripts/lib/deploy/venues";
import { deployMorpho } from "../../scripts/lib/market/morpho";
import type { ListedVault } from "../../tasks/vault";
import { SETTINGS_3X, STACK_WORLDS, VAULT_STACK_WORLDS, stackWorld, type StackWorld } from "./fixtures";

const WAD = 10n ** 18n;
const VENUES: Venue[] = ["aave", "morpho"];

/** A spec as the registry returns it, as a plain object. */
async function specOf(registry: VaultRegistry, vault: string) {
  const s = await registry.specOf(vault);
  return { collateralAsset: s.collateralAsset, debtAsset: s.debtAsset, venue: s.venue, kind: s.kind };
}

/** The stack's module rebuilt for `oracle` on the same venue and markets (a module the factory must refuse). */
async function moduleFor(world: StackWorld, oracle: ReturnType<typeof localOracleConfig>) {
  const { stack, owner } = world;
  return stack.venue === "morpho"
    ? deployMorphoModule(hre.ethers, stack.markets as Parameters<typeof deployMorphoModule>[1], oracle, owner)
    : deployModule(hre.ethers, stack.markets as Parameters<typeof deployModule>[1], oracle, owner);
}

for (const venue of VENUES) {
  describe(`factory and registry (${venue})`, () => {
    const world = STACK_WORLDS[venue];
    const vaultWorld = VAULT_STACK_WORLDS[venue];

    describe("createVault", () => {
      it("deploys at the predicted CREATE2 address, records the spec and emits VaultCreated + VaultRegistered (gas recorded)", async () => {
        const { stack, alice, market } = await loadFixture(world);
        const { factory, registry, module } = stack;
        const { settings, params, salt } = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt: "alice-1" });
        const kind = kindId("eth-long-3x");
        const predicted = await factory.predictVaultAddress(alice.address, settings.name, settings.symbol, params, salt);
        expect(await hre.ethers.provider.getCode(predicted)).to.equal("0x");

        const tx = await factory.connect(alice).createVault(settings.name, settings.symbol, kind, params, salt);
        await recordGas(venue === "aave" ? "factory.createVault" : "factory.createVault (morpho)", tx);
        await expect(tx)
          .to.emit(factory, "VaultCreated")
          .withArgs(predicted, alice.address, kind, salt, settings.name, settings.symbol)
          .and.to.emit(registry, "VaultRegistered")
          .withArgs(predicted, factory.target);

        expect(await hre.ethers.provider.getCode(predicted)).to.not.equal("0x");
        expect(await registry.isRegistered(predicted)).to.equal(true);
        expect(await registry.factoryOf(predicted)).to.equal(factory.target);
        expect(await registry.vaultCount()).to.equal(1n);
        expect(await specOf(registry, predicted)).to.deep.equal({
          collateralAsset: market.weth.target,
          debtAsset: market.usdc.target,
          venue: VENUE_IDS[venue],
          kind,
        });
        const core = await hre.ethers.getContractAt(VENUE_CONTRACTS[venue].vault, predicted);
        expect(await core.getFunction("MODULE")()).to.equal(module.target);
        const vault = (await hre.ethers.getContractAt("ILeveredVault", predicted)) as unknown as ILeveredVault;
        expect(await vault.name()).to.equal(settings.name);
        expect(await vault.owner()).to.equal(alice.address);
        expect(await vault.manager()).to.equal(alice.address);
        expect(await vault.asset()).to.equal(stack.markets.collateralAsset);
        expect(await vault.debtAsset()).to.equal(stack.markets.debtAsset);
        expect((await vault.leverageConfig()).targetLeverage).to.equal(3n * WAD);
      });

      it("refuses the same (creator, salt, arguments) twice: CREATE2 collision", async () => {
        const { stack, alice } = await loadFixture(world);
        const { factory, registry } = stack;
        const { settings, params, salt, kind } = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt: "same" });
        await (await factory.connect(alice).createVault(settings.name, settings.symbol, kind, params, salt)).wait();
        // OpenZeppelin's Create2: the CREATE2 returned no address.
        const deployer = await hre.ethers.getContractAt(VENUE_CONTRACTS[venue].deployer, await factory.DEPLOYER());
        await expect(factory.connect(alice).createVault(settings.name, settings.symbol, kind, params, salt)).to.be.revertedWithCustomError(deployer, "FailedDeployment");
        // The kind is a label, not part of the address: another kind does not get around the collision.
        await expect(factory.connect(alice).createVault(settings.name, settings.symbol, kindId("other"), params, salt)).to.be.revertedWithCustomError(
          deployer,
          "FailedDeployment",
        );
        expect(await registry.vaultCount()).to.equal(1n);
      });

      it("gives two creators using the same salt different addresses, each the one predicted for its creator", async () => {
        const { stack, alice, bob } = await loadFixture(world);
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

      it("lists vaults by kind, in creation order, paged", async () => {
        const { stack, alice, bob } = await loadFixture(world);
        const { factory, registry } = stack;
        const long1 = await createVault(hre.ethers, factory, alice, { settings: SETTINGS_3X, salt: "one", kind: "eth-long-3x" });
        const custom = await createVault(hre.ethers, factory, bob, { settings: SETTINGS_3X, salt: "one" });
        const long2 = await createVault(hre.ethers, factory, alice, { settings: { ...SETTINGS_3X, symbol: "lvWETH3x-b" }, salt: "two", kind: "eth-long-3x" });

        expect(await registry.vaults(0, 10)).to.deep.equal([long1.address, custom.address, long2.address]);
        expect(await registry.vaultCountOfKind(kindId("eth-long-3x"))).to.equal(2n);
        expect(await registry.vaultsOfKind(kindId("eth-long-3x"), 0, 10)).to.deep.equal([long1.address, long2.address]);
        expect(await registry.vaultsOfKind(kindId("eth-long-3x"), 1, 1)).to.deep.equal([long2.address]);
        expect(await registry.vaultsOfKind(kindId("custom"), 0, MaxUint256)).to.deep.equal([custom.address]);
        expect(custom.kind).to.equal(kindId("custom")); // the default kind
        expect(await registry.vaultCountOfKind(kindId("eth-short-2x"))).to.equal(0n);
        expect(await registry.vaultsOfKind(kindId("eth-short-2x"), 0, 10)).to.deep.equal([]);
      });
    });

    describe("module and markets binding", () => {
      it("refuses a module built for other feeds (FactoryModuleMismatch) and so does the vault (VaultModuleMismatch)", async () => {
        const w = await loadFixture(world);
        const { stack, owner, alice, market } = w;
        const oracle = localOracleConfig(market);
        const otherOracle = await moduleFor(w, { ...oracle, collateralHeartbeat: 7200 });
        const encoded = encodeMarkets(venue, stack.markets);
        const Factory = await hre.ethers.getContractFactory("VaultFactory", owner);
        await expect(Factory.deploy(encoded, oracle, otherOracle.target, stack.registry.target, await stack.factory.DEPLOYER())).to.be.revertedWithCustomError(
          Factory,
          "FactoryModuleMismatch",
        );
        // Other markets for the stack's own module: the swap router changed.
        const otherMarkets = encodeMarkets(venue, { ...stack.markets, swapRouter: owner.address });
        await expect(Factory.deploy(otherMarkets, oracle, stack.module.target, stack.registry.target, await stack.factory.DEPLOYER())).to.be.revertedWithCustomError(
          Factory,
          "FactoryModuleMismatch",
        );

        const Vault = await hre.ethers.getContractFactory(VENUE_CONTRACTS[venue].vault, owner);
        const { settings, params } = vaultInitParams(alice.address, { settings: SETTINGS_3X });
        await expect(Vault.deploy(stack.markets, oracle, settings.name, settings.symbol, otherOracle.target, params)).to.be.revertedWithCustomError(
          Vault,
          "VaultModuleMismatch",
        );
        // The stack's own module is accepted by a direct deployment too.
        const direct = await Vault.deploy(stack.markets, oracle, settings.name, settings.symbol, stack.module.target, params);
        await direct.waitForDeployment();
        expect(await direct.getFunction("MODULE")()).to.equal(stack.module.target);
      });

      it("refuses markets encoded for the other venue: the deployer cannot decode them", async () => {
        const { stack, owner, market } = await loadFixture(world);
        const other: Venue = venue === "aave" ? "morpho" : "aave";
        // A valid encoding of the other venue's struct, with the same assets.
        const { collateralAsset, debtAsset, swapRouter, uniswapFactory } = stack.markets;
        const foreign =
          other === "morpho"
            ? encodeMarketsOf("morpho", { collateralAsset, debtAsset, morpho: owner.address, morphoOracle: owner.address, irm: owner.address, lltv: 86n * 10n ** 16n, swapRouter, uniswapFactory })
            : encodeMarketsOf("aave", { collateralAsset, debtAsset, aavePool: owner.address, swapRouter, uniswapFactory, eModeCategory: 0 });
        const Factory = await hre.ethers.getContractFactory("VaultFactory", owner);
        await expect(
          Factory.deploy(foreign, localOracleConfig(market), stack.module.target, stack.registry.target, await stack.factory.DEPLOYER()),
        ).to.be.reverted;
        expect(() => encodeMarkets(other, stack.markets)).to.throw(/markets of the other venue/);
      });
    });

    describe("registry access", () => {
      it("a factory the registry has not approved cannot create vaults: RegistryUnauthorizedFactory(factory)", async () => {
        const { stack, owner, alice, market } = await loadFixture(world);
        const { settings, params, salt, kind } = vaultInitParams(alice.address, { settings: SETTINGS_3X });
        // A second factory on the same module and deployer, never approved.
        const Factory = await hre.ethers.getContractFactory("VaultFactory", owner);
        const unapproved = (await Factory.deploy(
          encodeMarkets(venue, stack.markets),
          localOracleConfig(market),
          stack.module.target,
          stack.registry.target,
          await stack.factory.DEPLOYER(),
        )) as unknown as VaultFactory;
        await expect(unapproved.connect(alice).createVault(settings.name, settings.symbol, kind, params, salt))
          .to.be.revertedWithCustomError(stack.registry, "RegistryUnauthorizedFactory")
          .withArgs(unapproved.target);
        // A revoked factory neither.
        await expect(stack.registry.connect(owner).setFactory(stack.factory.target, false))
          .to.emit(stack.registry, "FactorySet")
          .withArgs(stack.factory.target, false);
        await expect(stack.factory.connect(alice).createVault(settings.name, settings.symbol, kind, params, salt))
          .to.be.revertedWithCustomError(stack.registry, "RegistryUnauthorizedFactory")
          .withArgs(stack.factory.target);
        expect(await stack.registry.vaultCount()).to.equal(0n);
      });
    });

    describe("a factory-made vault end to end", () => {
      it("levers a deposit to target, lets the keeper act, and pays the holder back on redeem", async () => {
        const { created, alice, keeper, market } = await loadFixture(vaultWorld);
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
        const { stack, created, market } = await loadFixture(vaultWorld);
        const { factory, registry } = stack;
        expect(await factory.REGISTRY()).to.equal(registry.target);
        expect(await factory.MODULE()).to.equal(stack.module.target);
        expect(await factory.MARKETS_HASH()).to.equal(await stack.module.MARKETS_HASH());
        expect(await factory.VENUE()).to.equal(VENUE_IDS[venue]);
        expect(await factory.COLLATERAL_ASSET()).to.equal(market.weth.target);
        expect(await factory.DEBT_ASSET()).to.equal(market.usdc.target);
        const deployer = await hre.ethers.getContractAt("IVaultDeployer", await factory.DEPLOYER());
        expect(await deployer.VENUE()).to.equal(VENUE_IDS[venue]);
        expect(await factory.markets()).to.equal(encodeMarkets(venue, stack.markets));
        expect(decodeMarkets(venue, await factory.markets())).to.deep.equal({ ...stack.markets, ...("eModeCategory" in stack.markets ? { eModeCategory: BigInt(stack.markets.eModeCategory) } : {}) });
        expect((await factory.oracle()).sequencerFeed).to.equal(ZeroAddress);
        expect(await registry.vaults(0, MaxUint256 / 2n)).to.deep.equal([created.address]);
      });
    });
  });
}

describe("factory and registry (venue-independent)", () => {
  describe("one registry for both venues", () => {
    /** The Aave stack, and a Morpho stack whose factory is approved on the same registry, a vault on each. */
    async function bothVenuesWorld() {
      const world = await stackWorld();
      const { market, owner, stack } = world;
      const blue = await deployMorpho(hre.ethers, market);
      const morpho = await deployStack(hre.ethers, {
        venue: "morpho",
        markets: localMorphoMarkets(market, blue, LONG_ETH_PAIR),
        oracle: localOracleConfig(market),
        owner,
        registry: stack.registry,
      });
      const onAave = await createVault(hre.ethers, stack.factory, owner, { settings: SETTINGS_3X, salt: "a", kind: "eth-long-3x" });
      const onMorpho = await createVault(hre.ethers, morpho.factory, owner, { settings: SETTINGS_3X, salt: "m", kind: "eth-long-3x" });
      const custom = await createVault(hre.ethers, morpho.factory, owner, { settings: { ...SETTINGS_3X, symbol: "lvWETH3x-c" }, salt: "c" });
      return { ...world, morpho, onAave, onMorpho, custom };
    }

    it("lists both venues' vaults, each with its venue, by kind across venues", async () => {
      const { stack, morpho, onAave, onMorpho, custom } = await loadFixture(bothVenuesWorld);
      const { registry } = stack;
      expect(morpho.registry.target).to.equal(registry.target);
      expect(await registry.vaults(0, 10)).to.deep.equal([onAave.address, onMorpho.address, custom.address]);
      expect((await registry.specOf(onAave.address)).venue).to.equal(VENUE_IDS.aave);
      expect((await registry.specOf(onMorpho.address)).venue).to.equal(VENUE_IDS.morpho);
      expect(await registry.factoryOf(onMorpho.address)).to.equal(morpho.factory.target);
      expect(await registry.vaultsOfKind(kindId("eth-long-3x"), 0, 10)).to.deep.equal([onAave.address, onMorpho.address]);
    });

    it("refuses a module of the other venue for the same pair and feeds (FactoryModuleMismatch)", async () => {
      const { stack, morpho, owner, market } = await loadFixture(bothVenuesWorld);
      const Factory = await hre.ethers.getContractFactory("VaultFactory", owner);
      const oracle = localOracleConfig(market);
      await expect(
        Factory.deploy(encodeMarkets("morpho", morpho.markets), oracle, stack.module.target, stack.registry.target, await morpho.factory.DEPLOYER()),
      ).to.be.revertedWithCustomError(Factory, "FactoryModuleMismatch");
      await expect(
        Factory.deploy(encodeMarkets("aave", stack.markets), oracle, morpho.module.target, stack.registry.target, await stack.factory.DEPLOYER()),
      ).to.be.revertedWithCustomError(Factory, "FactoryModuleMismatch");
    });

    it("npx hardhat vault:list lists by kind and by venue, with the pair; bad arguments are refused in one line", async () => {
      const { stack, onAave, onMorpho, custom } = await loadFixture(bothVenuesWorld);
      const registry = stack.registry.target as string;
      const all = await runTask<ListedVault[]>("vault:list", { registry });
      expect(all.result.map((v) => [v.address, v.kind, v.venue, v.pair])).to.deep.equal([
        [onAave.address, "eth-long-3x", "aave", "WETH/USDC"],
        [onMorpho.address, "eth-long-3x", "morpho", "WETH/USDC"],
        [custom.address, "custom", "morpho", "WETH/USDC"],
      ]);
      expect(all.output).to.include(`3 vault(s) in registry ${registry}`);

      const longs = await runTask<ListedVault[]>("vault:list", { registry, kind: "eth-long-3x" });
      expect(longs.result.map((v) => v.address)).to.deep.equal([onAave.address, onMorpho.address]);
      expect(longs.output).to.include("(kind eth-long-3x)");
      const onMorphoOnly = await runTask<ListedVault[]>("vault:list", { registry, venue: "morpho" });
      expect(onMorphoOnly.result.map((v) => v.address)).to.deep.equal([onMorpho.address, custom.address]);
      const both = await runTask<ListedVault[]>("vault:list", { registry, kind: "eth-long-3x", venue: "aave", json: true });
      expect(both.result.map((v) => v.address)).to.deep.equal([onAave.address]);
      expect(JSON.parse(both.output)[0]).to.include({ address: onAave.address, venue: "aave", kind: "eth-long-3x" });
      expect((await runTask<ListedVault[]>("vault:list", { registry, kind: "btc-long-2x" })).result).to.deep.equal([]);

      await expect(runTask("vault:list", { registry, venue: "compound" })).to.be.rejectedWith("--venue must be aave or morpho");
      await expect(runTask("vault:list", { registry, kind: "x".repeat(32) })).to.be.rejectedWith("--kind is at most 31 bytes");
      await expect(runTask("vault:list", { registry: "0x12" })).to.be.rejectedWith("--registry '0x12' is not an address");
      await expect(runTask("vault:list", { registry: "0x000000000000000000000000000000000000dEaD" })).to.be.rejectedWith("has no code");
    });
  });

  describe("registry", () => {
    const SPEC = {
      collateralAsset: "0x0000000000000000000000000000000000000001",
      debtAsset: "0x0000000000000000000000000000000000000002",
      venue: encodeBytes32String("aave-v3"),
      kind: encodeBytes32String("eth-long-3x"),
    };
    const vaultAt = (i: number) => getAddress(zeroPadValue(toBeHex(0xbeef0 + i), 20));

    it("only approved factories register: RegistryUnauthorizedFactory(caller)", async () => {
      const { stack, stranger } = await loadFixture(stackWorld);
      await expect(stack.registry.connect(stranger).register(stranger.address, SPEC))
        .to.be.revertedWithCustomError(stack.registry, "RegistryUnauthorizedFactory")
        .withArgs(stranger.address);
      expect(await stack.registry.isFactory(stack.factory.target)).to.equal(true);
      expect(await stack.registry.isFactory(stranger.address)).to.equal(false);
    });

    it("refuses to list a vault twice: RegistryAlreadyRegistered(vault); specOf an unlisted address: RegistryNotRegistered", async () => {
      const { stack, owner, stranger } = await loadFixture(stackWorld);
      const { registry } = stack;
      await (await registry.connect(owner).setFactory(stranger.address, true)).wait();
      const vault = vaultAt(0);
      await expect(registry.connect(stranger).specOf(vault)).to.be.revertedWithCustomError(registry, "RegistryNotRegistered").withArgs(vault);
      await expect(registry.connect(stranger).register(vault, SPEC)).to.emit(registry, "VaultRegistered").withArgs(vault, stranger.address);
      await expect(registry.connect(stranger).register(vault, { ...SPEC, kind: encodeBytes32String("other") }))
        .to.be.revertedWithCustomError(registry, "RegistryAlreadyRegistered")
        .withArgs(vault);
      expect(await specOf(registry, vault)).to.deep.equal(SPEC);
      expect(await registry.vaultCountOfKind(encodeBytes32String("other"))).to.equal(0n);
      expect(await registry.isRegistered(vault)).to.equal(true);
      expect(await registry.isRegistered(vaultAt(1))).to.equal(false);
      expect(await registry.factoryOf(vaultAt(1))).to.equal(ZeroAddress);
    });

    it("pages every list; out-of-range pages are empty, a limit of 'everything' does not overflow", async () => {
      const { stack, owner, stranger } = await loadFixture(stackWorld);
      const { registry } = stack;
      await (await registry.connect(owner).setFactory(stranger.address, true)).wait();
      const all = [0, 1, 2].map(vaultAt);
      const kinds = ["a", "b", "a"].map((k) => encodeBytes32String(k));
      for (const [i, vault] of all.entries()) await (await registry.connect(stranger).register(vault, { ...SPEC, kind: kinds[i] })).wait();

      expect(await registry.vaultCount()).to.equal(3n);
      expect(await registry.vaults(0, 10)).to.deep.equal(all);
      expect(await registry.vaults(0, 3)).to.deep.equal(all);
      expect(await registry.vaults(0, 2)).to.deep.equal(all.slice(0, 2));
      expect(await registry.vaults(1, 1)).to.deep.equal([all[1]]);
      expect(await registry.vaults(2, 5)).to.deep.equal([all[2]]);
      expect(await registry.vaults(0, 0)).to.deep.equal([]);
      expect(await registry.vaults(3, 1)).to.deep.equal([]);
      expect(await registry.vaults(100, 5)).to.deep.equal([]);
      expect(await registry.vaults(1, MaxUint256)).to.deep.equal(all.slice(1));
      const a = encodeBytes32String("a");
      expect(await registry.vaultCountOfKind(a)).to.equal(2n);
      expect(await registry.vaultsOfKind(a, 0, MaxUint256)).to.deep.equal([all[0], all[2]]);
      expect(await registry.vaultsOfKind(a, 1, MaxUint256)).to.deep.equal([all[2]]);
      expect(await registry.vaultsOfKind(a, 2, 1)).to.deep.equal([]);
      expect(await registry.vaultsOfKind(encodeBytes32String("b"), 0, 1)).to.deep.equal([all[1]]);
    });

    it("setFactory is owner only (OwnableUnauthorizedAccount)", async () => {
      const { stack, owner, stranger } = await loadFixture(stackWorld);
      const { registry } = stack;
      await expect(registry.connect(stranger).setFactory(stranger.address, true))
        .to.be.revertedWithCustomError(registry, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      expect(await registry.owner()).to.equal(owner.address);
    });
  });

  describe("deployers", () => {
    it("the TypeScript markets tuples are the vault constructors' first argument", async () => {
      for (const venue of VENUES) {
        const { interface: iface } = await hre.ethers.getContractFactory(VENUE_CONTRACTS[venue].vault);
        const [constructorMarkets] = iface.deploy.inputs;
        const tuple = ParamType.from(MARKETS_TUPLES[venue]);
        expect(tuple.format("sighash")).to.equal(constructorMarkets.format("sighash"));
        expect(tuple.components!.map((c) => c.name)).to.deep.equal(constructorMarkets.components!.map((c) => c.name));
      }
    });

    it("anyone may deploy through a deployer, at an address bound to the caller", async () => {
      const { stack, market, alice, bob } = await loadFixture(stackWorld);
      const deployer = await hre.ethers.getContractAt("IVaultDeployer", await stack.factory.DEPLOYER());
      const markets = encodeMarkets("aave", localMarketAddresses(market));
      const oracle = localOracleConfig(market);
      const { settings, params } = vaultInitParams(alice.address, { settings: SETTINGS_3X });
      const salt = toSalt("direct");
      const args = [salt, markets, oracle, settings.name, settings.symbol, stack.module.target, params] as const;
      const forAlice = await deployer.predict(alice.address, ...args);
      expect(forAlice).to.not.equal(await deployer.predict(bob.address, ...args));
      await expect(deployer.connect(alice).deploy(...args)).to.not.be.reverted;
      expect(await hre.ethers.provider.getCode(forAlice)).to.not.equal("0x");
      expect(await stack.registry.isRegistered(forAlice)).to.equal(false); // not through a factory: not listed
    });

    it("DeployerCodeStoreFailed when a data contract cannot be created (out of gas for its code)", async () => {
      const { owner } = await loadFixture(stackWorld);
      const Deployer = await hre.ethers.getContractFactory("AaveUniswapVaultDeployer", owner);
      // Enough for the intrinsic cost and the copy, not for the first half's code deposit (200 gas per byte).
      await expect(Deployer.deploy({ gasLimit: 2_500_000 })).to.be.revertedWithCustomError(Deployer, "DeployerCodeStoreFailed");
      // With the gas, both venues' deployers deploy.
      for (const venue of VENUES) expect(await (await deployVaultDeployer(hre.ethers, venue, owner)).VENUE()).to.equal(VENUE_IDS[venue]);
    });
  });
});
