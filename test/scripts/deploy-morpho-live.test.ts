/**
 * VAULT_VENUE=morpho on a live network (issue 20): the Morpho Blue singleton from the address book or MORPHO_ADDRESS,
 * the market chosen by MORPHO_MARKET_ID and read on chain (scripts/lib/deploy/morpho-market.ts), refused in one line
 * before any transaction when it does not exist, is another pair's, or its LLTV leaves the settings unsafe.
 * No RPC endpoint is reachable from here, so the live chains cannot be reached: the local chain stands in. The
 * resolution runs in-process against the local Morpho Blue (real bytecode, deployMorpho); the script's live path runs
 * in child processes against a `hardhat node` holding the local market and Morpho Blue, with MORPHO_ADDRESS /
 * MORPHO_MARKET_ID pointing at them (MORPHO_MARKET_ID on chain 31337 takes the live path instead of deploying the
 * local market) and the rest of the addresses from a VAULT_CONFIG file.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Contract, JsonRpcProvider, id } from "ethers";
import { loadDeployConfig } from "../../deploy/config";
import { MORPHO_BLUE, chainDefaults, missingFields } from "../../scripts/lib/deploy/addresses";
import { MorphoMarketError, resolveMorphoAddress, resolveMorphoMarket } from "../../scripts/lib/deploy/morpho-market";
import { localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { VENUE_IDS, decodeMarkets } from "../../scripts/lib/deploy/venues";
import { deployMarket, type Market } from "../../scripts/lib/market/market";
import { MORPHO_LLTV, deployMorpho, morphoMarketId, type MorphoBlue } from "../../scripts/lib/market/morpho";
import { ethersAt, startHardhatNode } from "../fork/targets";
import { hardhat, hardhatRefused } from "../shared/cli";

const CANONICAL_MORPHO = "0xBBBBBbbBBb9cC5e90e3b3Af64bdAF62C37EEFFCb";
const NO_MARKET = id("no such market");
/** A 50 % LLTV WETH/USDC market: the 3x preset (LTV 66.7 % at target) is unsafe on it. */
const LOW_LLTV = 5n * 10n ** 17n;

describe("deploy: Morpho Blue on a live network (MORPHO_MARKET_ID)", function () {
  this.timeout(600_000);

  describe("configuration", () => {
    it("reads MORPHO_MARKET_ID (a bytes32, lower-cased) and MORPHO_ADDRESS (checksummed); refuses a bad id in one line", () => {
      const marketId = id("a market").toUpperCase().replace("0X", "0x");
      const cfg = loadDeployConfig({ VAULT_VENUE: "morpho", MORPHO_MARKET_ID: marketId, MORPHO_ADDRESS: CANONICAL_MORPHO.toLowerCase() });
      expect(cfg.morpho).to.deep.equal({ marketId: marketId.toLowerCase(), address: CANONICAL_MORPHO });
      expect(loadDeployConfig({}).morpho).to.deep.equal({});
      for (const bad of ["0x12", "market-1", `${id("x")}00`, id("x").slice(2)]) {
        const message = (() => {
          try {
            loadDeployConfig({ MORPHO_MARKET_ID: bad });
          } catch (error) {
            return (error as Error).message;
          }
        })();
        expect(message, bad).to.equal("invalid deploy configuration (env): morpho.marketId: not a market id: 0x followed by 64 hex digits (bytes32)");
      }
      expect(() => loadDeployConfig({ MORPHO_ADDRESS: "0x1234" })).to.throw(/^invalid deploy configuration \(env\): morpho\.address: not an address$/);
    });

    it("the address book lists the canonical Morpho Blue on Ethereum and Base only; MORPHO_ADDRESS overrides it; an unknown chain is refused", () => {
      expect(MORPHO_BLUE).to.deep.equal({ 1: CANONICAL_MORPHO, 8453: CANONICAL_MORPHO });
      expect(resolveMorphoAddress(1)).to.equal(CANONICAL_MORPHO);
      expect(resolveMorphoAddress(8453)).to.equal(CANONICAL_MORPHO);
      const other = "0x" + "12".repeat(20);
      expect(resolveMorphoAddress(1, other)).to.equal("0x1212121212121212121212121212121212121212");
      expect(resolveMorphoAddress(42161, other)).to.equal("0x1212121212121212121212121212121212121212");
      for (const chainId of [42161, 999_999]) {
        expect(() => resolveMorphoAddress(chainId)).to.throw(MorphoMarketError, new RegExp(`^no Morpho Blue address is known for chain ${chainId}.*: set MORPHO_ADDRESS`));
      }
    });

    it("Morpho needs no Aave pool: on Ethereum the book has everything, on Base only the original SwapRouter is missing", () => {
      const mainnet = chainDefaults(1);
      expect(missingFields(mainnet.markets, mainnet.oracle, "morpho")).to.deep.equal([]);
      const base = chainDefaults(8453);
      expect(missingFields({ ...base.markets, aavePool: undefined }, base.oracle, "morpho")).to.deep.equal(["markets.swapRouter"]);
      expect(missingFields({ ...base.markets, aavePool: undefined }, base.oracle, "aave")).to.include("markets.aavePool");
    });
  });

  describe("resolution against the local Morpho Blue (in-process)", () => {
    async function morphoWorld() {
      const market = await deployMarket(hre.ethers);
      const blue = await deployMorpho(hre.ethers, market);
      return { market, blue };
    }
    const request = (market: Market, blue: MorphoBlue, marketId?: string, morphoAddress = blue.morpho.target as string) => ({
      chainId: 31337,
      marketId,
      morphoAddress,
      collateralAsset: market.weth.target as string,
      debtAsset: market.usdc.target as string,
      pairName: "WETH/USDC",
    });
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error, "should be refused").to.be.instanceOf(MorphoMarketError);
      expect(error!.message).to.not.include("\n");
      return error!.message;
    };

    it("reads the market's params by id: the Morpho markets of the deploy, the LLTV as the risk", async () => {
      const { market, blue } = await loadFixture(morphoWorld);
      const marketId = morphoMarketId(blue.markets.wethUsdc);
      const resolved = await resolveMorphoMarket(hre.ethers.provider, request(market, blue, marketId));
      expect(resolved.id).to.equal(marketId.toLowerCase());
      expect(resolved.risk).to.deep.equal({ ltvBps: 8600, liquidationThresholdBps: 8600 });
      expect(resolved.markets).to.deep.equal({
        collateralAsset: market.weth.target,
        debtAsset: market.usdc.target,
        morpho: blue.morpho.target,
        morphoOracle: blue.markets.wethUsdc.oracle,
        irm: blue.markets.wethUsdc.irm,
        lltv: MORPHO_LLTV.wethUsdc,
      });
    });

    it("refuses, one line each: no id, a missing market, another pair's market, an address without code, a contract that is not Morpho", async () => {
      const { market, blue } = await loadFixture(morphoWorld);
      const provider = hre.ethers.provider;
      expect(await refusal(resolveMorphoMarket(provider, request(market, blue, undefined)))).to.match(/^VAULT_VENUE=morpho on chain 31337 needs MORPHO_MARKET_ID=/);
      expect(await refusal(resolveMorphoMarket(provider, request(market, blue, NO_MARKET)))).to.equal(
        `MORPHO_MARKET_ID ${NO_MARKET}: no such market on Morpho Blue ${blue.morpho.target} (chain 31337): idToMarketParams returned a zero loan token`,
      );
      const wsteth = morphoMarketId(blue.markets.wstethWeth);
      expect(await refusal(resolveMorphoMarket(provider, request(market, blue, wsteth)))).to.match(
        new RegExp(`^MORPHO_MARKET_ID ${wsteth} is a wstETH/WETH market .*not the vault's pair WETH/USDC on chain 31337 .*choose a WETH/USDC market$`),
      );
      const nobody = "0x" + "ab".repeat(20);
      expect(await refusal(resolveMorphoMarket(provider, request(market, blue, wsteth, nobody)))).to.match(/has no code on chain 31337: check MORPHO_ADDRESS$/);
      expect(await refusal(resolveMorphoMarket(provider, request(market, blue, wsteth, market.weth.target as string)))).to.match(
        /does not answer idToMarketParams\(bytes32\) .*: not Morpho Blue, check MORPHO_ADDRESS$/,
      );
    });
  });

  describe("deploy/deploy-vault.ts's live path against a hardhat node (the local chain standing in)", () => {
    it("refuses a missing market, another pair's, an unsafe LLTV, a bad id, no Morpho, an id without the venue and an address without an id in one line, exit 1, nothing sent; DRY_RUN=1 prints the market and sends nothing; then deploys the Morpho stack and vault through the factory, and a deposit borrows on that market", async () => {
      const node = await startHardhatNode();
      const rpc = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
      const cleanup: string[] = [];
      try {
        // The stand-in for a live chain: the local market and Morpho Blue, deployed on the node by this process.
        const ethers = ethersAt(node.url);
        const market = await deployMarket(ethers);
        const blue = await deployMorpho(ethers as never, market);
        const lowLltv = { ...blue.markets.wethUsdc, lltv: LOW_LLTV };
        await (await (blue.morpho as Contract).enableLltv(LOW_LLTV)).wait();
        await (await (blue.morpho as Contract).createMarket(lowLltv)).wait();

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
        const configFile = path.join(dir, "..", `${path.basename(dir)}-vault.json`);
        const { aavePool: _aave, eModeCategory: _emode, ...route } = localMarketAddresses(market);
        cleanup.push(dir, configFile);
        fs.writeFileSync(configFile, JSON.stringify({ markets: route, oracle: localOracleConfig(market) }));
        const env = {
          DEPLOYMENTS_DIR: dir,
          LOCALHOST_RPC_URL: node.url,
          VAULT_CONFIG: configFile,
          VAULT_VENUE: "morpho",
          VAULT_PRESET: "eth-long-3x",
          MORPHO_ADDRESS: blue.morpho.target as string,
        };
        const args = ["run", "deploy/deploy-vault.ts", "--network", "localhost"];
        const before = await rpc.getBlockNumber();
        const wethUsdc = morphoMarketId(blue.markets.wethUsdc);

        for (const [what, extra, message] of [
          ["a missing market", { MORPHO_MARKET_ID: NO_MARKET }, `MORPHO_MARKET_ID ${NO_MARKET}: no such market on Morpho Blue`],
          ["another pair's market", { MORPHO_MARKET_ID: morphoMarketId(blue.markets.wstethWeth) }, "is a wstETH/WETH market"],
          ["an LLTV too low for the preset", { MORPHO_MARKET_ID: morphoMarketId(lowLltv) }, "settings refused before any transaction (market: Morpho LLTV 5000 bps): targetLeverage"],
          ["a bad id", { MORPHO_MARKET_ID: "0x1234" }, "morpho.marketId: not a market id"],
          ["no Morpho at MORPHO_ADDRESS", { MORPHO_MARKET_ID: wethUsdc, MORPHO_ADDRESS: "0x" + "ab".repeat(20) }, "has no code on chain 31337"],
          ["a market id without VAULT_VENUE=morpho", { VAULT_VENUE: "aave", MORPHO_MARKET_ID: wethUsdc }, "MORPHO_MARKET_ID / MORPHO_ADDRESS are for VAULT_VENUE=morpho"],
          ["MORPHO_ADDRESS without a market id", {}, "MORPHO_ADDRESS needs MORPHO_MARKET_ID"],
        ] as const) {
          const failed = await hardhatRefused([...args], { ...env, ...extra });
          expect(failed.code, what).to.equal(1);
          expect(failed.stderr, what).to.include(message);
          expect(failed.stderr.trim().split("\n"), `${what}: one line`).to.have.length(1);
          expect(failed.stdout, what).to.not.include("deploying the local");
        }
        expect(await rpc.getBlockNumber(), "nothing sent").to.equal(before);
        expect(fs.readdirSync(dir)).to.deep.equal([]);

        const dry = await hardhat(args, { ...env, MORPHO_MARKET_ID: wethUsdc, DRY_RUN: "1" });
        expect(dry.stdout).to.include(`Morpho Blue market ${wethUsdc} on ${blue.morpho.target}: WETH/USDC`).and.include("LLTV 86 % (8600 bps)");
        expect(dry.stdout).to.include("Settings checked").and.include("Morpho LLTV 8600 bps").and.not.include("deploying the local");
        expect(dry.stdout).to.match(/DRY RUN: \d+ transaction\(s\), [\d,]+ gas in all; reverted to block \d+, no deployment record written/);
        expect(await rpc.getBlockNumber()).to.equal(before);
        expect(fs.readdirSync(dir)).to.deep.equal([]);

        const real = await hardhat(args, { ...env, MORPHO_MARKET_ID: wethUsdc });
        const record = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8"));
        expect(record.venue).to.equal("morpho");
        expect(record.localMarket).to.equal(undefined);
        expect(record.markets).to.deep.equal({
          collateralAsset: market.weth.target,
          debtAsset: market.usdc.target,
          morpho: blue.morpho.target,
          morphoOracle: blue.markets.wethUsdc.oracle,
          irm: blue.markets.wethUsdc.irm,
          lltv: MORPHO_LLTV.wethUsdc.toString(),
          swapRouter: market.swapRouter.target,
          uniswapFactory: market.uniswapFactory.target,
        });
        expect(record.vaults).to.have.length(1);
        expect(real.stdout).to.include(`listed in registry ${record.registry} as kind 'eth-long-3x' on morpho-blue`);
        // The vault borrows on the market chosen: the factory's markets are the ones read on chain.
        const factory = await ethers.getContractAt("VaultFactory", record.factory);
        expect(await factory.VENUE()).to.equal(VENUE_IDS.morpho);
        const onChain = decodeMarkets("morpho", await factory.markets());
        expect(onChain.morpho).to.equal(blue.morpho.target);
        expect(onChain.lltv).to.equal(MORPHO_LLTV.wethUsdc);
        // A deposit is levered on the market chosen by its id: the vault's collateral and debt sit in that Morpho market.
        const vaultAddress = record.vaults[0].address as string;
        await hardhat(["vault:deposit", "--vault", vaultAddress, "--amount", "1", "--wrap", "--network", "localhost"], env);
        const position = await (blue.morpho as Contract).position(wethUsdc, vaultAddress);
        expect(position.collateral).to.be.greaterThan(10n ** 18n); // 1 WETH deposited, levered to ~3x
        expect(position.borrowShares).to.be.greaterThan(0n);
      } finally {
        rpc.destroy();
        await node.stop();
        for (const file of cleanup) fs.rmSync(file, { recursive: true, force: true });
      }
    });
  });
});
